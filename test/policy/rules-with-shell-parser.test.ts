/**
 * Rules and blacklist fed by the real tree-sitter-bash analyzer (src/policy/shell), as the engine
 * wires them: nested code, quoting tricks and wrappers must not slip past a rule.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkBlacklist, compileBlacklist } from "../../src/policy/blacklist.js";
import { type ShellAnalyzer, createShellAnalyzer } from "../../src/policy/shell/index.js";
import { type CompiledRule, compileRules, evaluateRules } from "../../src/policy/rules/index.js";

let analyzer: ShellAnalyzer;
let rules: CompiledRule[];

beforeAll(async () => {
  analyzer = await createShellAnalyzer();
  const toSegments = (line: string) => analyzer.analyze(line).segments;
  rules = compileRules(
    [
      { action: "allow", pattern: ["git status *", "git diff *", "ls *"], match: ["git status", "ls -la | ls"], not_match: ["git status; rm x"] },
      { action: "ask", pattern: "git push *", match: ["git push origin"], not_match: [] },
      { id: "force", action: "deny", pattern: ["git push --force *", "git push -f *"], match: [`bash -c "git push --force"`], not_match: [] },
    ],
    { toSegments },
  );
});

const action = (line: string) => evaluateRules(analyzer.analyze(line).segments, rules).action;

describe("rules on real parser output", () => {
  it.each([
    ["git status", "allow"],
    ["ls -la && git diff HEAD", "allow"],
    ["git status $(rm -rf ~)", "none"],
    ["git status `git push -f`", "deny"],
    ["bash -c 'git push --force origin'", "deny"],
    ["sudo git push -f", "deny"],
    ["g''it push --force", "deny"],
    ["\\git push -f", "deny"],
    ["$'\\x67it' push -f", "deny"],
    ["git push origin main", "ask"],
    ["eval git status", "none"],
    ["$GIT status", "none"],
    ["git status 'unterminated", "none"],
  ])("%s -> %s", (line, expected) => {
    expect(action(line)).toBe(expected);
  });

  it("blacklists nested and disguised commands", () => {
    const blacklist = compileBlacklist(["rm -rf *", "mkfs *"]);
    const hits = (line: string) => checkBlacklist(analyzer.analyze(line).segments, blacklist).map((h) => h.pattern);
    expect(hits("r''m -rf /")).toEqual(["rm -rf *"]);
    expect(hits("echo $(rm -rf ~)")).toEqual(["rm -rf *"]);
    expect(hits("sh -c 'mkfs /dev/sda'")).toEqual(["mkfs *"]);
    expect(hits("echo 'rm -rf /'")).toEqual([]);
  });
});
