import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { definition, writeTree } from "../helpers/tmp.js";

let env: NodeJS.ProcessEnv;
let project: string;
const cli = (...args: string[]) => runCli(args, { cwd: project, env: { ...env, FIREBREAK_DAEMON: "off" } });

beforeEach(() => {
  ({ project, env } = freshCliProject());
  writeTree(project, { "firebreak.toml": '[vm]\nbackend = "none"\n' });
});

describe("what the CLI says when a command cannot be found or is asked for help", () => {
  it("a command whose file failed to load says why (exit 78), instead of 'unknown command'", async () => {
    writeTree(project, { ".firebreak/commands/broken.md": "---\nname: broken\ndescription: x\nparameters: [oops\n---\n" });
    const r = await cli("run", "broken");
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`firebreak: command 'broken' could not be loaded: ${path.join(project, ".firebreak/commands/broken.md")}:4: invalid YAML`);
    expect(r.stderr).not.toContain("unknown command");
  });

  it("a file named otherwise is still found by the name its front matter declares", async () => {
    writeTree(project, { ".firebreak/commands/tools.md": "---\nname: lint-all\ndescription: x\ntimeout: soon\n---\n" });
    const r = await cli("run", "lint-all");
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/command 'lint-all' could not be loaded: .*tools\.md:4: field 'timeout'/);
  });

  it("an unknown name gets did-you-mean: hello_world → hello-world, helo → hello", async () => {
    const underscore = await cli("run", "hello_world");
    expect(underscore.code).toBe(2);
    expect(underscore.stderr).toBe("firebreak: unknown command 'hello_world'; did you mean: hello-world?\n");
    expect((await cli("run", "helo")).stderr).toBe("firebreak: unknown command 'helo'; did you mean: hello?\n");
    expect((await cli("run", "zzzzzz")).stderr).toBe("firebreak: unknown command 'zzzzzz'; see 'firebreak commands list'\n");
  });

  it("run <name> --help and -h show the command's usage, parameters and documentation, and run nothing", async () => {
    for (const flag of ["--help", "-h"]) {
      const r = await cli("run", "hello-world", flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("usage: firebreak run hello-world [name] [--greeting <hello|hi|hey|greetings>]");
      expect(r.stdout).toContain('  greeting (string, default "hello") one of: hello, hi, hey, greetings — Greeting type');
      expect(r.stdout).toContain("# Hello World\n\nGreets someone.");
      expect(r.stdout).not.toContain("hello, World!");
      expect(r.stderr).toBe("");
    }
  });
});

describe("what a refusal says", () => {
  const reasonLinesOf = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("  - "));

  it("prints each reason once, most important first, folded and capped, after a header without reasons", async () => {
    const r = await cli("run", "security-audit");
    expect(r.code).toBe(77);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("firebreak: security-audit → denied · risk critical · role developer");
    expect(lines[2]).toBe("firebreak: security-audit was refused");
    // What refused it comes first, then where it would have gone, then the findings.
    expect(lines[3]).toMatch(/^ {2}- risk critical is above role developer's ceiling high \(high: writes an existing file/);
    expect(lines[4]).toMatch(/^ {2}- requires a microVM but no VM backend is available/);
    const reasons = reasonLinesOf(r.stderr);
    expect(new Set(reasons).size).toBe(reasons.length);
    expect(reasons.length).toBeLessThanOrEqual(8);
    // Eight findings that differ only in where they were found are one line.
    expect(r.stderr).toContain("(in: echo '== world-writable files'; and 7 more places)");
    expect(lines.at(-1)).toMatch(/^ {2}\(\d+ more: --plan shows all\)$/);
    // The finding the ceiling refusal already quotes is not repeated on its own.
    expect(r.stderr.split('(in: echo "security audit of $t').length - 1).toBe(1);
  });

  it("policy check lists a finding it quotes in the ceiling refusal only once", async () => {
    const r = await cli("policy", "check", "--", "rm -rf /");
    expect(r.code).toBe(77);
    expect(r.stdout.match(/^ {2}- .*deletes a critical path.*$/gm)).toEqual(["  - risk critical is above role developer's ceiling high (critical: deletes a critical path: / (in: rm -rf /))"]);
  });

  it("names the other configured roles that would allow the command", async () => {
    writeTree(project, {
      "firebreak.toml": '[vm]\nbackend = "none"\n[policy]\nlocal_risk_ceiling = "medium"\n[roles.ops]\npermissions = ["read", "write", "execute"]\nrisk_ceiling = "high"\n',
      ".firebreak/commands/tidy.md": definition("tidy", "risk_level: medium\nexecution_mode: local\npermissions: [write]\n", "echo tidy"),
    });
    const refused = await cli("run", "--role", "viewer", "tidy");
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain("firebreak: allowed for roles developer, ops: run it with --role developer or --role ops\n");
    const allowed = await cli("run", "--role", "ops", "tidy");
    expect(allowed).toMatchObject({ code: 0, stdout: "tidy\n" });
    // No role allows a critical line on the host: no hint then.
    expect((await cli("run", "security-audit", "/")).stderr).not.toContain("allowed for");
  });
});

describe("--json: one document on stdout, errors included", () => {
  it("an error is {error: {code, message, exit_code}} on stdout, nothing on stderr", async () => {
    const unknown = await cli("run", "--json", "hello_world");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("");
    expect(JSON.parse(unknown.stdout)).toEqual({ error: { code: "unknown_command", message: "unknown command 'hello_world'; did you mean: hello-world?", exit_code: 2 } });
    const badArgument = await cli("run", "hello-world", "--greeting", "yo", "--json");
    expect(badArgument.code).toBe(2);
    expect(JSON.parse(badArgument.stdout)).toMatchObject({ error: { code: "argument", exit_code: 2, usage: "hello-world [name] [--greeting <hello|hi|hey|greetings>]" } });
    const policy = await cli("policy", "check", "--json", "--role", "nobody", "--", "ls");
    expect(JSON.parse(policy.stdout)).toMatchObject({ placement: "denied" });
  });

  it("without --json the same error is text on stderr", async () => {
    const r = await cli("run", "hello_world");
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain("firebreak: unknown command 'hello_world'");
  });

  it("policy check --stdin documents its exit status and sets 77 when a line is denied", async () => {
    expect((await cli("policy", "check", "--help")).stdout.replace(/\s+/g, " ")).toContain("exits 77 when any line is denied");
    const r = await runCli(["policy", "check", "--stdin"], { cwd: project, env: { ...env, FIREBREAK_DAEMON: "off" }, input: "ls\nrm -rf /\necho ok\n" });
    expect(r.code).toBe(77);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(3);
  });
});
