import fs from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { alive, childPids, waitFor } from "../helpers/proc.js";
import { REPO_ROOT, SEED_COMMANDS, writeTree } from "../helpers/tmp.js";

let home: string;
let env: NodeJS.ProcessEnv;
let project: string;
const cli = (...args: string[]) => runCli(args, { cwd: project, env });

beforeEach(() => {
  ({ home, project, env } = freshCliProject());
  // No VM in these tests: what needs one must be refused, never run on the host.
  writeTree(project, { "firebreak.toml": '[vm]\nbackend = "none"\n' });
});

describe("firebreak CLI", () => {
  it("commands check on the seed folder lists six commands and skips README.md", async () => {
    const r = await cli("commands", "check", SEED_COMMANDS);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^ok {2}/gm)).toHaveLength(6);
    expect(r.stdout).toContain("6 commands, 0 error(s), 0 conflict(s)");
    expect(r.stderr).toContain("README.md: no YAML frontmatter");
  });

  it("commands check exits 1 on a broken file and names file, line and field", async () => {
    writeTree(project, { "cmds/bad.md": "---\nname: bad\ndescription: d\ntimeout: soon\n---\n" });
    const r = await cli("commands", "check", "cmds");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(project, "cmds/bad.md")}:4: field 'timeout'`);
  });

  it("vm bench without a guest image says what to do and exits 1, without a stack trace", async () => {
    const r = await cli("vm", "bench", "--runs", "1");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("firebreak: no guest image: build it with `firebreak vm image build`\n");
  });

  it("runs hello-world with typed arguments", async () => {
    const r = await cli("run", "hello-world", "--name", "Ada", "--greeting", "hi");
    expect(r.stdout).toBe("hi, Ada!\n");
    expect(r.code).toBe(0);
  });

  it("fails with exit 2 naming the allowed values", async () => {
    const r = await cli("run", "hello-world", "--greeting", "yo");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("allowed values: hello, hi, hey, greetings");
    expect(r.stderr).toContain("usage: hello-world");
  });

  it("prints a hostile value literally and runs nothing", async () => {
    const marker = path.join(project, "pwned");
    const r = await cli("run", "hello-world", "--name", `$(touch ${marker})`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`hello, $(touch ${marker})!\n`);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it("refuses deploy on the host when no VM backend is available, and says why", async () => {
    const r = await cli("run", "deploy", "staging");
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/requires a microVM but no VM backend is available/);
    const audit = await cli("audit", "tail", "--json");
    const records = JSON.parse(audit.stdout) as { kind: string; command: string; placement: string }[];
    expect(records.at(-1)).toMatchObject({ kind: "refused", command: "deploy", placement: "denied" });
  });

  it("writes exactly one JSON document with --json", async () => {
    const r = await cli("run", "--json", "hello-world", "Ada");
    const doc = JSON.parse(r.stdout) as { plan: { decision: { placement: string } }; result: { stdout: string; exitCode: number } };
    expect(doc.plan.decision.placement).toBe("local");
    expect(doc.result).toMatchObject({ stdout: "hello, Ada!\n", exitCode: 0 });
    const list = JSON.parse((await cli("commands", "list", "--json")).stdout) as { name: string }[];
    expect(list.map((c) => c.name)).toEqual(["backup", "deploy", "hello-world", "search", "security-audit", "test"]);
  });

  it("--plan shows the rendered script and decision without running", async () => {
    const r = await cli("run", "hello-world", "Ada", "--plan");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("printf '%s, %s!\\n' hello Ada");
    expect(r.stdout).not.toContain("hello, Ada!");
  });

  it("records runs in the audit log and detects tampering", async () => {
    await cli("run", "hello-world");
    await cli("run", "hello-world", "Bob");
    expect((await cli("audit", "verify")).code).toBe(0);
    const file = path.join(home, ".state/firebreak/audit/audit.jsonl");
    const lines = fs.readFileSync(file, "utf8").split("\n");
    lines[0] = lines[0]!.replace('"user":"tester"', '"user":"mallory"');
    fs.writeFileSync(file, lines.join("\n"));
    const r = await cli("audit", "verify");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("audit.jsonl:1 (seq 1): hash mismatch");
  });

  it("exits 78 on a config error, naming file and line", async () => {
    writeTree(project, { "firebreak.toml": "[exec]\nkill_grace_ms = -1\n" });
    const r = await cli("commands", "list");
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`${path.join(project, "firebreak.toml")}:2: field 'exec.kill_grace_ms'`);
  });

  it("prints the effective config and its JSON Schema", async () => {
    const show = await cli("config", "show");
    expect(show.stdout).toContain('default_role = "developer"');
    const schema = JSON.parse((await cli("config", "schema")).stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["roles", "policy", "exec", "audit"]));
  });

  it("lists a definition without a command template but refuses to run it, saying why", async () => {
    writeTree(project, { "firebreak.toml": `[vm]\nbackend = "none"\n[commands]\nextra_dirs = [${JSON.stringify(SEED_COMMANDS)}]\n` });
    const show = await cli("commands", "show", "deploy");
    expect(show.stdout).toContain("command:    (none: this definition cannot run)");
    const r = await cli("run", "hello-world");
    expect(r.code).toBe(77);
    expect(r.stderr).toContain("hello-world has no 'command' template: it can be listed and shown, but there is nothing to run");
  });

  it("stopping firebreak (SIGTERM) stops the command's whole process group too", async () => {
    writeTree(project, { ".firebreak/commands/slow.md": "---\nname: slow\ndescription: d\ncommand: sleep 3 && touch finished.txt\n---\n" });
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/firebreak.js"), "run", "slow"], { cwd: project, env });
    const sleeper = await waitFor(() => childPids(child.pid!, "").length > 0, 10_000);
    expect(sleeper).toBe(true);
    const shells = childPids(child.pid!, "sleep 3");
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(143);
    expect(await waitFor(() => shells.every((pid) => !alive(pid)), 2_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 3_500));
    expect(fs.existsSync(path.join(project, "finished.txt"))).toBe(false);
  });

  it("loads project commands over bundled ones", async () => {
    writeTree(project, { ".firebreak/commands/hello-world.md": "---\nname: hello-world\ndescription: mine\ncommand: echo project-version\n---\n" });
    const r = await cli("run", "hello-world");
    expect(r.stdout).toBe("project-version\n");
  });
});
