import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import type { PolicyRuleConfig } from "../../src/policy/config-schema.js";
import { compileRules } from "../../src/policy/rules/compile.js";
import { evaluateRules } from "../../src/policy/rules/evaluate.js";
import { simpleSegments } from "../../src/policy/rules/shell-words.js";
import { segment } from "./fixtures/segments.js";

const rule = (r: Partial<PolicyRuleConfig> & Pick<PolicyRuleConfig, "action" | "pattern">): PolicyRuleConfig => ({
  match: [],
  not_match: [],
  ...r,
});

const RULES = compileRules([
  rule({ id: "git-read", action: "allow", pattern: ["git status *", "git log *", "git diff *"] }),
  rule({ id: "tests", action: "allow", pattern: "npm run test *" }),
  rule({ id: "push", action: "ask", pattern: "git push *", reason: "publishes commits" }),
  rule({ id: "force", action: "deny", pattern: ["git push --force *", "git push -f *"], reason: "rewrites history" }),
]);

const evaluate = (line: string) => evaluateRules(simpleSegments(line), RULES);

describe("evaluateRules", () => {
  it.each([
    ["git status", "allow"],
    ["git status --short && git log -1", "allow"],
    ["npm run test -- --watch=false", "allow"],
    ["git status && rm -rf x", "none"],
    ["ls", "none"],
    ["git push origin main", "ask"],
    ["git status && git push", "ask"],
    ["git push --force origin", "deny"],
    ["git push -f && git status", "deny"],
    ["git diff | git push --force", "deny"],
    ["", "none"],
  ])("%j -> %s", (line, action) => {
    expect(evaluate(line).action).toBe(action);
  });

  it("deny beats ask on the same segment and names the deciding rule with its reason", () => {
    const result = evaluate("git push --force");
    expect(result.perSegment[0]?.rules.map((r) => r.id)).toEqual(["push", "force"]);
    expect(result.perSegment[0]?.action).toBe("deny");
    expect(result.reasons).toEqual([
      `denied by rule "force" (git push --force * | git push -f *) on 'git push --force': rewrites history`,
    ]);
  });

  it("reports matches per segment index", () => {
    const result = evaluate("git status && git push");
    expect(result.matched.map((m) => [m.rule.id, m.segmentIndex])).toEqual([
      ["git-read", 0],
      ["push", 1],
    ]);
    expect(result.perSegment.map((s) => s.action)).toEqual(["allow", "ask"]);
  });

  it("never lets an allow cover an opaque segment, but deny still applies to it", () => {
    const opaque = segment(["git", "status"], { opaque: true, opaqueReason: "variable in command position" });
    expect(evaluateRules([opaque], RULES).action).toBe("none");
    expect(evaluateRules([segment(["git", "status"]), opaque], RULES).action).toBe("none");
    expect(evaluateRules([segment(["git", "push", "-f"], { opaque: true })], RULES).action).toBe("deny");
  });

  it("does not let a path or a wrapper widen an allow, but does not let them dodge a deny", () => {
    expect(evaluateRules([segment(["./git", "status"])], RULES).action).toBe("none");
    expect(evaluateRules([segment(["git", "status"], { wrappers: ["sudo"] })], RULES).action).toBe("none");
    expect(evaluateRules([segment(["/usr/bin/git", "push", "-f"])], RULES).action).toBe("deny");
    const sudoRules = compileRules([rule({ action: "deny", pattern: "sudo *" }), rule({ action: "allow", pattern: "timeout npm test *" })]);
    expect(evaluateRules([segment(["rm", "x"], { wrappers: ["sudo", "env"] })], sudoRules).action).toBe("deny");
    expect(evaluateRules([segment(["npm", "test"], { wrappers: ["timeout"] })], sudoRules).action).toBe("allow");
  });

  it("applies rules to nested segments the parser found", () => {
    const nested = segment(["git", "push", "--force"], { context: ["command_substitution"] });
    expect(evaluateRules([segment(["echo", "x"]), nested], RULES).action).toBe("deny");
  });
});

describe("compileRules", () => {
  it("accepts rules whose examples hold and numbers rules without ids", () => {
    const compiled = compileRules([
      rule({
        action: "allow",
        pattern: "git status *",
        match: ["git status", "git status -s && git status"],
        not_match: ["git status && ls", "git push", "$G status"],
      }),
      rule({ action: "deny", pattern: "rm -rf *", match: ["ls; rm -rf /", "/bin/rm -rf x"], not_match: ["rm -r x"] }),
    ]);
    expect(compiled.map((r) => r.id)).toEqual(["#1", "#2"]);
  });

  it("rejects a rule whose match example fails, naming the rule, pattern, example and field", () => {
    const attempt = () =>
      compileRules(
        [
          rule({ action: "allow", pattern: "ls *" }),
          rule({ id: "tests", action: "allow", pattern: "npm run test *", match: ["npm run test", "npm test"] }),
        ],
        { file: "/p/firebreak.toml" },
      );
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(`rule "tests" (npm run test *) does not match its example "npm test"`);
    try {
      attempt();
    } catch (error) {
      expect((error as ConfigError).location).toEqual({ file: "/p/firebreak.toml", field: "policy.rules[1].match[1]" });
    }
  });

  it("rejects a rule that matches its not_match example", () => {
    expect(() =>
      compileRules([rule({ action: "deny", pattern: "git push *", not_match: ["git status", "git push --dry-run"] })]),
    ).toThrow(`rule "#1" (git push *) matches its not_match example "git push --dry-run"`);
  });

  it("uses the injected parser for examples", () => {
    const calls: string[] = [];
    const toSegments = (line: string) => {
      calls.push(line);
      return [segment(["rm", "-rf", "/"])];
    };
    compileRules([rule({ action: "deny", pattern: "rm -rf *", match: ["anything"] })], { toSegments });
    expect(calls).toEqual(["anything"]);
  });

  it("reports an unparsable example as a config error with the cause", () => {
    try {
      compileRules([rule({ id: "q", action: "deny", pattern: "rm *", match: ["rm 'x"] })]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(`example "rm 'x" could not be parsed`);
      expect((error as Error).cause).toBeDefined();
    }
  });

  it("rejects bad patterns, wildcard-first allows and duplicate ids", () => {
    expect(() => compileRules([rule({ action: "deny", pattern: "a | b" })])).toThrow(/policy\.rules\[0\]\.pattern.*operator/);
    expect(() => compileRules([rule({ action: "allow", pattern: ["ls", "* --help"] })])).toThrow(
      /policy\.rules\[0\]\.pattern\[1\].*must name its command/,
    );
    expect(compileRules([rule({ action: "deny", pattern: "* --no-preserve-root *" })])).toHaveLength(1);
    expect(() =>
      compileRules([rule({ id: "x", action: "deny", pattern: "a" }), rule({ id: "x", action: "deny", pattern: "b" })]),
    ).toThrow(/duplicate rule id "x"/);
  });
});
