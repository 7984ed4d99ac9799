import { describe, expect, it } from "vitest";
import { matchCommandPattern, PatternError, parseCommandPattern } from "../../src/policy/rules/pattern.js";

const matches = (pattern: string, argv: string[], mode: "exact" | "basename" = "exact") =>
  matchCommandPattern(parseCommandPattern(pattern), argv, mode);

describe("command patterns", () => {
  it.each([
    ["git push *", ["git", "push"], true],
    ["git push *", ["git", "push", "--force", "origin"], true],
    ["git push *", ["git", "pull"], false],
    ["git push *", ["git"], false],
    ["git status", ["git", "status"], true],
    ["git status", ["git", "status", "--short"], false],
    ["git ? --force", ["git", "push", "--force"], true],
    ["git ? --force", ["git", "--force"], false],
    ["git ? --force", ["git", "push", "origin", "--force"], false],
    ["git * --force", ["git", "push", "origin", "--force"], true],
    ["git * --force", ["git", "--force"], true],
    ["git * --force", ["git", "push", "--force", "x"], false],
    ["git * --force *", ["git", "push", "--force", "x"], true],
    ["rm * / *", ["rm", "-rf", "/"], true],
    ["rm * / *", ["rm", "-rf", "/tmp"], false],
    ["npm run test *", ["npm", "run", "test", "--", "-t", "x"], true],
    ["npm run test *", ["npm", "run", "testx"], false],
    ["echo '*'", ["echo", "*"], true],
    ["echo '*'", ["echo", "anything"], false],
    ["echo \\?", ["echo", "?"], true],
    ["echo \\?", ["echo", "x"], false],
    ['git commit -m "a b"', ["git", "commit", "-m", "a b"], true],
    ["Git status", ["git", "status"], false],
  ] as const)("%s vs %j -> %s", (pattern, argv, expected) => {
    expect(matches(pattern, [...argv])).toBe(expected);
  });

  it("compares argv[0] by basename only in basename mode and only for slash-free pattern words", () => {
    expect(matches("rm *", ["/bin/rm", "-rf", "x"], "basename")).toBe(true);
    expect(matches("rm *", ["/bin/rm", "-rf", "x"], "exact")).toBe(false);
    expect(matches("/bin/rm *", ["/bin/rm", "x"], "exact")).toBe(true);
    expect(matches("/bin/rm *", ["/usr/bin/rm", "x"], "basename")).toBe(false);
    // basename applies to the command word only, not to arguments
    expect(matches("cat /etc/shadow", ["cat", "/x/etc/shadow"], "basename")).toBe(false);
  });

  it("rejects a wildcard glued to text, and accepts it quoted as literal text", () => {
    expect(() => parseCommandPattern("git push --force*")).toThrow(/'--force\*' glues a wildcard to text/);
    expect(() => parseCommandPattern("ls foo?")).toThrow(PatternError);
    expect(() => parseCommandPattern("rm -rf /*")).toThrow(PatternError);
    expect(matches("git push '--force*'", ["git", "push", "--force*"], "exact")).toBe(true);
    expect(matches("git push '--force*'", ["git", "push", "--force"], "exact")).toBe(false);
  });

  it.each([[""], ["   "], ["git push; rm -rf /"], ["ls | sh"], ["cat > x"], ["echo 'unterminated"], ["a && b"]])(
    "rejects %j",
    (source) => {
      expect(() => parseCommandPattern(source)).toThrow(PatternError);
    },
  );
});
