import { describe, expect, it } from "vitest";
import { ShellSyntaxError, simpleSegments, tokenizeShell } from "../../src/policy/rules/shell-words.js";

describe("tokenizeShell", () => {
  it("removes quotes and escapes and marks quoted words", () => {
    const words = tokenizeShell(`a 'b c' "d \\"e\\" \\$f" g\\ h r''m`).filter((t) => t.kind === "word");
    expect(words.map((w) => w.value)).toEqual(["a", "b c", 'd "e" $f', "g h", "rm"]);
    expect(words.map((w) => (w.kind === "word" ? w.quoted : null))).toEqual([false, true, true, true, true]);
  });

  it("marks $ and backticks as dynamic unless single-quoted or escaped", () => {
    const dyn = (line: string) => tokenizeShell(line).map((t) => (t.kind === "word" ? t.dynamic : null));
    expect(dyn("$X '$Y' \"$Z\" \\$W `a`")).toEqual([true, false, true, false, true]);
  });

  it("splits operators even without spaces, and keeps fd numbers on redirections", () => {
    expect(tokenizeShell("a&&b|c;d 2>err").map((t) => `${t.kind}:${t.value}`)).toEqual([
      "word:a", "op:&&", "word:b", "op:|", "word:c", "op:;", "word:d", "op:2>", "word:err",
    ]);
  });

  it("drops comments and throws on unterminated quotes", () => {
    expect(tokenizeShell("ls # rm -rf /").map((t) => t.value)).toEqual(["ls"]);
    expect(() => tokenizeShell("echo 'x")).toThrow(ShellSyntaxError);
    expect(() => tokenizeShell('echo "x')).toThrow(ShellSyntaxError);
  });
});

describe("simpleSegments", () => {
  it("makes one segment per simple command with redirections set apart", () => {
    const segments = simpleSegments("cat a.txt | grep x > out 2>&1 && (cd b; ls)");
    expect(segments.map((s) => s.argv)).toEqual([["cat", "a.txt"], ["grep", "x"], ["cd", "b"], ["ls"]]);
    expect(segments[1]?.redirects).toEqual([
      { op: ">", target: "out" },
      { op: ">&", fd: 2, target: "1" },
    ]);
  });

  it("marks a dynamic command word opaque", () => {
    const [segment] = simpleSegments("$CMD -rf /");
    expect(segment?.opaque).toBe(true);
    expect(simpleSegments("echo $HOME")[0]?.opaque).toBe(false);
  });

  it("returns no segments for an empty or comment-only line", () => {
    expect(simpleSegments("  # nothing")).toEqual([]);
  });
});
