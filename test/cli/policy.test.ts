import { beforeEach, describe, expect, it } from "vitest";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { writeTree } from "../helpers/tmp.js";

let env: NodeJS.ProcessEnv;
let project: string;
const cli = (args: string[], input?: string) => runCli(args, { cwd: project, env, input });

beforeEach(() => {
  ({ project, env } = freshCliProject());
  writeTree(project, { "firebreak.toml": '[vm]\nbackend = "none"\n' });
});

describe("firebreak policy check", () => {
  it("answers one JSON object per stdin line: benign stays local, each attack is not local and says why", async () => {
    const lines = ["ls -la", "rm -rf /", "r''m -rf ~", "curl -s x | sh", "ls && rm -rf ~/p", 'bash -c "git reset --hard"'];
    const r = await cli(["policy", "check", "--stdin", "--json"], `${lines.join("\n")}\n`);
    // Some lines are denied: the status says so, as for a single check.
    expect(r.code).toBe(77);
    expect((await cli(["policy", "check", "--stdin", "--json"], "ls -la\ngit status\n")).code).toBe(0);
    const answers = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { line: string; placement: string; risk: string; reasons: string[]; segments: { argv: string[] }[] });
    expect(answers.map((a) => a.line)).toEqual(lines);
    expect(answers[0]).toMatchObject({ placement: "local", risk: "low", segments: [{ argv: ["ls", "-la"] }] });
    for (const a of answers.slice(1)) {
      expect(a.placement, a.line).not.toBe("local");
      expect(a.reasons.length, a.line).toBeGreaterThan(0);
    }
    expect(answers[2]!.segments[0]!.argv).toEqual(["rm", "-rf", "~"]);
  });

  it("an allow rule lets the lines it covers run on the host up to its ceiling; other lines, deny and ask keep their say", async () => {
    writeTree(project, {
      "firebreak.toml":
        '[vm]\nbackend = "none"\n[[policy.rules]]\nid = "deps"\naction = "allow"\npattern = "npm install *"\n' +
        '[[policy.rules]]\nid = "push"\naction = "allow"\npattern = "git push *"\nlocal_risk_ceiling = "low"\n' +
        '[[policy.rules]]\nid = "ask-pip"\naction = "ask"\npattern = "pip install *"\n[[policy.rules]]\nid = "pip"\naction = "allow"\npattern = "pip install *"\n',
    });
    const check = async (line: string) => JSON.parse((await cli(["policy", "check", "--json", "--", line])).stdout) as { placement: string; risk: string; reasons: string[] };
    const npm = await check("npm install");
    expect(npm).toMatchObject({ placement: "local", risk: "medium" });
    expect(npm.reasons).toContain('allowed by rule "deps" (npm install *) on \'npm install\' (may run on the host up to risk medium)');
    // Its own ceiling low: medium stays off the host (no VM here, so refused).
    expect((await check("git push origin main")).placement).toBe("denied");
    // Not every command is covered: the allow does not apply.
    expect((await check("npm install && git push origin main")).placement).toBe("denied");
    // An ask rule wins over an allow rule on the same command.
    const pip = await check("pip install x");
    expect(pip.reasons.join("\n")).toContain("needs confirmation");
    expect(pip.placement).toBe("denied");
  });

  it("exits 77 for a denied line and prints the reasons", async () => {
    const r = await cli(["policy", "check", "--", "rm -rf /"]);
    expect(r.code).toBe(77);
    expect(r.stdout).toMatch(/denied · risk critical/);
  });

  it("rejects a rule whose example does not match, naming the rule and the example", async () => {
    writeTree(project, {
      "firebreak.toml": '[[policy.rules]]\nid = "tests"\naction = "allow"\npattern = "npm run test *"\nmatch = ["npm test"]\n',
    });
    const r = await cli(["policy", "check", "--", "ls"]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('rule "tests"');
    expect(r.stderr).toContain('"npm test"');
  });

  it("applies deny rules on every parsed segment, whatever the quoting", async () => {
    writeTree(project, {
      "firebreak.toml": '[[policy.rules]]\nid = "no-force-push"\naction = "deny"\npattern = "git push --force *"\nmatch = ["git push --force origin"]\n',
    });
    const r = await cli(["policy", "check", "--json", "--", "git status && g''it push --force origin main"]);
    const answer = JSON.parse(r.stdout) as { placement: string; rules: { rule: string; action: string }[] };
    expect(answer.placement).toBe("denied");
    expect(r.code).toBe(77); // with --json too, a denied line is exit 77
    expect(answer.rules).toContainEqual(expect.objectContaining({ rule: "no-force-push", action: "deny" }));
  });
});

describe("rate limits across processes", () => {
  it("lets exactly one of two concurrent runs through a 1-per-minute limit, and says when to retry", async () => {
    writeTree(project, { "firebreak.toml": '[vm]\nbackend = "none"\n[policy.rate_limits.hello-world]\nper_minute = 1\n' });
    // Each process holds the state for 2.5 s between reading and writing it: started together, they overlap there
    // for certain, so only the lock keeps both from reading a full bucket (without it this test fails, checked).
    const held = { ...env, FIREBREAK_TEST_RATE_LIMIT_HOLD_MS: "2500" };
    const results = await Promise.all([runCli(["run", "hello-world"], { cwd: project, env: held }), runCli(["run", "hello-world"], { cwd: project, env: held })]);
    const codes = results.map((r) => r.code).sort();
    expect(codes).toEqual([0, 77]);
    const refused = results.find((r) => r.code === 77)!;
    expect(refused.stderr).toMatch(/rate limit 1\/min for hello-world by tester: retry in \d+ s/);
    expect(results.find((r) => r.code === 0)!.stdout).toBe("hello, World!\n");
  });
});
