import { beforeAll, describe, expect, it } from "vitest";
import { assessRisk, classifyPath, RISK_RULES } from "../../../src/policy/risk/index.js";
import { createShellAnalyzer, type ShellAnalyzer } from "../../../src/policy/shell/index.js";
import { RISK_LEVELS } from "../../../src/policy/types.js";

const ctx = { workspace: "/home/dev/proj", home: "/home/dev" };
let analyzer: ShellAnalyzer;
beforeAll(async () => {
  analyzer = await createShellAnalyzer();
});
const assess = (line: string, definitionRisk?: "low" | "medium" | "high" | "critical", extra = {}) =>
  assessRisk(analyzer.analyze(line), { ...ctx, ...extra }, definitionRisk);

describe("assessRisk", () => {
  it("takes the maximum over segments and never lowers the definition's risk", () => {
    expect(assess("ls", "high").risk).toBe("high");
    expect(assess("ls && rm -rf /", "medium").risk).toBe("critical");
    expect(assess("ls", "medium").reasons).toContain("the command definition declares risk medium");
  });

  it("gives opaque segments at least high and reports them", () => {
    const result = assess("eval ls");
    expect(result.opaque).toBe(true);
    expect(result.risk).toBe("high");
    expect(result.reasons[0]).toMatch(/^high: cannot be analysed statically: eval/);
  });

  it("orders reasons most severe first and names the segment", () => {
    const result = assess("curl -s x | sh");
    expect(result.reasons[0]).toMatch(/^critical: pipes downloaded data into a program that runs it: curl \(in: sh\)/);
    expect(result.segments.map((s) => s.risk)).toEqual(["medium", "critical"]);
  });

  it("follows cd when resolving relative paths", () => {
    expect(assess("rm -rf build").risk).toBe("medium");
    expect(assess("cd /etc && rm -rf build").risk).toBe("critical");
    expect(assess("cd /data && rm -rf build").risk).toBe("high");
    expect(assess('cd "$X" && rm -rf build').risk).toBe("high");
  });

  it("uses pathExists to tell new files from overwritten ones outside the workspace", () => {
    expect(assess("echo x > /home/dev/new.txt").risk).toBe("high");
    expect(assess("echo x > /home/dev/new.txt", undefined, { pathExists: () => false }).risk).toBe("medium");
    expect(assess("echo x > /home/dev/new.txt", undefined, { pathExists: () => true }).risk).toBe("high");
  });

  it("treats a workspace under /tmp or /srv as the workspace, not as a temp or system directory", () => {
    const inTmp = { workspace: "/tmp/proj", home: "/home/dev" };
    expect(assessRisk(analyzer.analyze("touch done.txt && echo x > out/log.txt"), inTmp).risk).toBe("low");
    expect(assessRisk(analyzer.analyze("touch /tmp/elsewhere.txt"), inTmp).risk).toBe("medium");
    const inSrv = { workspace: "/srv/app", home: "/home/dev" };
    expect(assessRisk(analyzer.analyze("mkdir -p build && cp a.txt build/"), inSrv).risk).toBe("low");
    expect(assessRisk(analyzer.analyze("cp a.txt /srv/other/"), inSrv).risk).not.toBe("low");
  });

  it("judges read-only commands by their arguments", () => {
    expect(assess("cat README.md").risk).toBe("low");
    expect(assess("cat /etc/shadow").risk).toBe("high");
    expect(assess("cat ~/.aws/credentials").reasons[0]).toMatch(/credential/);
    expect(assess("grep -r key ~/.ssh").risk).toBe("high");
    expect(assess("cat .env").risk).toBe("medium");
    expect(assess("cat .env.example").risk).toBe("low");
  });

  it("treats unknown commands as medium but known-safe lines as low", () => {
    expect(assess("frobnicate --all").risk).toBe("medium");
    expect(assess("ls -la && git status && npm test | tee out.log").risk).toBe("low");
  });

  it("satisfies the issue's acceptance lines", () => {
    expect(assess("ls -la").risk).toBe("low");
    for (const line of ["rm -rf /", "r''m -rf ~", "curl -s x | sh", "ls && rm -rf ~/p", 'bash -c "git reset --hard"']) {
      const result = assess(line);
      expect(result.risk, line).not.toBe("low");
      expect(result.reasons.length, line).toBeGreaterThan(0);
    }
  });
});

describe("rule table", () => {
  it("has unique ids, valid risks and a reason for every rule", () => {
    const ids = RISK_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RISK_RULES) {
      expect(RISK_LEVELS).toContain(rule.risk);
      expect(rule.reason.length).toBeGreaterThan(5);
    }
  });

  it("covers every family of issue 4", () => {
    const families = new Set(RISK_RULES.map((r) => r.family));
    for (const family of ["destructive-files", "disk", "privilege", "system-state", "git-history", "remote-code", "exfiltration", "fork-bomb", "startup-files", "critical-paths", "opaque", "unknown"]) {
      expect(families).toContain(family);
    }
  });
});

describe("classifyPath", () => {
  const cwd = { dir: ctx.workspace, escaped: false };
  it.each([
    ["/", "critical"],
    ["~", "critical"],
    ["..", "critical"],
    ["/etc/*", "critical"],
    ["src/x", "inWorkspace"],
    ["*", "workspaceRoot"],
    ["~/.ssh/id_rsa", "credential"],
    ["$HOME/.aws/config", "credential"],
    ["/etc/shadow", "credential"],
    ["~/.bashrc", "startupFile"],
    ["/dev/sda1", "blockDevice"],
    ["/dev/null", "harmlessDevice"],
    ["/tmp/x", "tmp"],
    [".git/hooks/pre-commit", "gitInternal"],
  ] as const)("%s is %s", (raw, flag) => {
    const dynamic = raw.startsWith("$");
    expect(classifyPath(raw, dynamic, cwd, ctx)[flag]).toBe(true);
  });

  it("leaves unknown paths without an absolute form and outside the workspace", () => {
    const info = classifyPath("$X/y", true, cwd, ctx);
    expect(info.abs).toBeUndefined();
    expect(info.inWorkspace).toBe(false);
  });
});
