import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { runCli } from "../helpers/cli.js";
import { pidsMatching, waitFor } from "../helpers/proc.js";
import { definition, isolatedEnv, REPO_ROOT, tempDir, writeTree } from "../helpers/tmp.js";
import { resolvePaths } from "../../src/paths.js";
import { reportMissingVmEnv, vmTestEnv } from "../vm/qemu/vm-env.js";
import { type DaemonProcess, startDaemon } from "./daemon-process.js";
import { metricValue } from "./helpers.js";

/** A project with a long-running local command whose process is easy to find. */
function napCommand(seconds: string): string {
  return definition(`nap${seconds.replace(".", "")}`, "timeout: 120\n", `sleep ${seconds}`);
}

function lastAuditRecord(home: string): { kind: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(home, ".state/firebreak/audit/audit.jsonl"), "utf8").trim().split("\n").at(-1)!);
  } catch {
    return undefined;
  }
}

describe("the CLI through a real daemon (firebreak serve as a child process)", () => {
  const home = tempDir("fb-home-");
  const project = tempDir("fb-proj-");
  writeTree(project, { ".firebreak/commands/nap.md": napCommand("30.123"), ".firebreak/commands/nap2.md": napCommand("30.456") });
  const env = isolatedEnv(home);
  let daemon: DaemonProcess;
  const viaDaemon = () => ({ ...env, FIREBREAK_SOCKET: daemon.socket });
  const inProcess = { ...env, FIREBREAK_DAEMON: "off" };
  const cli = (args: string[], e: NodeJS.ProcessEnv, input?: string) => runCli(args, { cwd: project, env: e, input });
  /** The installed `firebreak` command (bin/firebreak and the native launcher, which relays to the daemon without Node). */
  const command = (args: string[], e: NodeJS.ProcessEnv, input?: string) => runCli(args, { cwd: project, env: e, input, entry: "command" });

  beforeAll(async () => {
    daemon = await startDaemon(env, project);
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  it("runs hello-world through the daemon, prints what in-process prints, and counts it in /metrics", async () => {
    const metric = async () => metricValue((await daemon.get("/metrics")).text, "firebreak_invocations_total", { placement: "local", outcome: "completed" });
    const before = await metric();
    const remote = await cli(["run", "hello-world", "--name", "Ada", "--greeting", "hi"], viaDaemon());
    const local = await cli(["run", "hello-world", "--name", "Ada", "--greeting", "hi"], inProcess);
    expect(remote).toMatchObject({ code: 0, stdout: "hi, Ada!\n" });
    expect(remote.stdout).toBe(local.stdout);
    expect(remote.stderr).toBe(local.stderr.replace("role developer", "role developer · via daemon"));
    expect(local.stderr).not.toContain("via daemon");
    expect(await metric()).toBe(before + 1);
    // The installed command, through the native launcher: the same, counted once more.
    const relayed = await command(["run", "hello-world", "--name", "Ada", "--greeting", "hi"], viaDaemon());
    expect(relayed).toEqual(remote);
    expect(await metric()).toBe(before + 2);
  });

  it("gives the same output and exit codes as in-process for errors, refusals, lists and --json", async () => {
    const same = async (args: string[], input?: string) => {
      const [remote, local, relayed] = [await cli(args, viaDaemon(), input), await cli(args, inProcess, input), await command(args, viaDaemon(), input)];
      expect({ args, code: remote.code, stderr: remote.stderr }).toEqual({ args, code: local.code, stderr: local.stderr });
      // The native launcher's relay prints what the Node client prints, byte for byte (JSON ids and times aside).
      expect({ args, code: relayed.code, stderr: relayed.stderr }).toEqual({ args, code: remote.code, stderr: remote.stderr });
      if (!args.includes("--json") || args[0] !== "run") expect({ args, stdout: relayed.stdout }).toEqual({ args, stdout: remote.stdout });
      return { remote, local };
    };
    const normalise = (s: string) => s.replace(/"(id|durationMs)": ("[^"]*"|\d+)/g, '"$1": X').replace(/"durationMs": \d+/g, "");
    for (const args of [
      ["run", "hello-world", "--greeting", "yo"],
      ["run", "nonexistent"],
      ["policy", "check", "--", "rm -rf ~"],
      ["policy", "check", "--json", "--", "curl -s x | sh"],
      ["commands", "list"],
      ["commands", "list", "--json"],
      ["commands", "show", "hello"],
      ["commands", "show", "--json", "deploy"],
      ["audit", "verify"],
      ["audit", "tail", "-n", "0"],
    ]) {
      const { remote, local } = await same(args);
      expect(remote.stdout).toBe(local.stdout);
    }
    const policy = await same(["policy", "check", "--stdin", "--json"], "ls -la\nrm -rf /\n");
    expect(policy.remote.code).toBe(77);
    expect(policy.remote.stdout).toBe(policy.local.stdout);
    const json = await same(["run", "--json", "hello-world", "--name", "Ada"]);
    const [r, l] = [JSON.parse(json.remote.stdout), JSON.parse(json.local.stdout)];
    expect(Object.keys(r)).toEqual(["plan", "result"]);
    expect(normalise(JSON.stringify({ ...r.plan, id: 0 }))).toBe(normalise(JSON.stringify({ ...l.plan, id: 0 })));
    expect(r.result).toMatchObject({ exitCode: l.result.exitCode, stdout: l.result.stdout, placement: "local" });
    const plan = await same(["run", "hello-world", "--plan", "--name", "Ada"]);
    expect(plan.remote.stdout).toBe(plan.local.stdout.replace("role developer", "role developer · via daemon"));
  });

  it("cancels the run when the client goes away: no process is left and the run is audited as cancelled", async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/firebreak.js"), "run", "nap30123"], { cwd: project, env: viaDaemon(), stdio: "ignore" });
    expect(await waitFor(() => pidsMatching("sleep 30.123").length > 0, 15_000)).toBe(true);
    // The daemon stays responsive while a run is in flight.
    expect(JSON.parse((await daemon.get("/healthz")).text)).toMatchObject({ status: "ok", in_flight: 1 });
    child.kill("SIGKILL");
    expect(await waitFor(() => pidsMatching("sleep 30.123").length === 0, 2_000)).toBe(true);
    expect(await waitFor(() => lastAuditRecord(home)?.kind === "cancelled", 5_000)).toBe(true);
    expect(lastAuditRecord(home)).toMatchObject({ command: "nap30123", exit_status: 130 });
  });

  it("serves 20 concurrent runs: 20 run records, and the chain verifies", async () => {
    const before = JSON.parse((await cli(["audit", "verify", "--json"], viaDaemon())).stdout).records as number;
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => cli(["run", "hello-world", `--name=n${i}`], viaDaemon())));
    expect(runs.map((r) => r.code)).toEqual(Array(20).fill(0));
    expect(runs.map((r) => r.stdout).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `hello, n${i}!\n`).sort());
    const verify = JSON.parse((await cli(["audit", "verify", "--json"], viaDaemon())).stdout);
    // Each run is on record twice: its intent, then its result.
    expect(verify).toMatchObject({ ok: true, records: before + 40 });
    const records = JSON.parse((await cli(["audit", "tail", "-n", "40", "--json"], viaDaemon())).stdout) as { kind: string; parameters: { name: string } }[];
    expect(records.filter((r) => r.kind === "run").map((r) => r.parameters.name).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`).sort());
    const health = JSON.parse((await daemon.get("/healthz")).text);
    expect(health.in_flight).toBe(0);
  });
});

describe("daemon life cycle", () => {
  it("SIGTERM during a run: the run is cancelled and audited, the socket removed", async () => {
    const home = tempDir("fb-home-");
    const project = tempDir("fb-proj-");
    writeTree(project, { ".firebreak/commands/nap.md": napCommand("30.789"), ".firebreak/commands/nap2.md": napCommand("30.791") });
    const env = isolatedEnv(home);
    const daemon = await startDaemon(env, project, ["--grace-ms", "300"]);
    onTestFinished(async () => {
      await daemon.stop();
    });
    // One run through the Node client, one relayed by the installed command's launcher.
    const relayed = runCli(["run", "nap30791"], { cwd: project, env: { ...env, FIREBREAK_SOCKET: daemon.socket }, entry: "command" });
    expect(await waitFor(() => pidsMatching("sleep 30.791").length > 0, 15_000)).toBe(true);
    const client = runCli(["run", "nap30789"], { cwd: project, env: { ...env, FIREBREAK_SOCKET: daemon.socket } });
    expect(await waitFor(() => pidsMatching("sleep 30.789").length > 0, 15_000)).toBe(true);
    expect(await daemon.stop()).toBe(0);
    for (const result of [await client, await relayed]) {
      expect(result.code).toBe(130);
      expect(result.stderr).toContain("cancelled");
    }
    expect(pidsMatching("sleep 30.789")).toEqual([]);
    expect(pidsMatching("sleep 30.791")).toEqual([]);
    expect(fs.existsSync(daemon.socket)).toBe(false);
    const last = JSON.parse((await runCli(["audit", "tail", "-n", "2", "--json"], { cwd: project, env })).stdout) as { kind: string; command: string; exit_status: number }[];
    expect(last.map((r) => [r.kind, r.command, r.exit_status]).sort()).toEqual([
      ["cancelled", "nap30789", 130],
      ["cancelled", "nap30791", 130],
    ]);
    expect(daemon.log()).toContain("stopped");
  });

  it("falls back to in-process on a stale socket, and with --no-daemon or FIREBREAK_DAEMON=off", async () => {
    const home = tempDir("fb-home-");
    const project = tempDir("fb-proj-");
    const env = isolatedEnv(home);
    const daemon = await startDaemon(env, project);
    onTestFinished(async () => {
      await daemon.stop();
    });
    const socketEnv = { ...env, FIREBREAK_SOCKET: daemon.socket };
    expect((await runCli(["run", "hello-world"], { cwd: project, env: socketEnv })).stderr).toContain("via daemon");
    expect((await runCli(["--no-daemon", "run", "hello-world"], { cwd: project, env: socketEnv })).stderr).not.toContain("via daemon");
    expect((await runCli(["run", "hello-world"], { cwd: project, env: { ...socketEnv, FIREBREAK_DAEMON: "off" } })).stderr).not.toContain("via daemon");
    daemon.child.kill("SIGKILL");
    await new Promise((r) => daemon.child.once("exit", r));
    expect(fs.existsSync(daemon.socket)).toBe(true); // stale: nobody listens
    const stale = await runCli(["run", "hello-world", "--name", "Ada"], { cwd: project, env: socketEnv });
    expect(stale).toMatchObject({ code: 0, stdout: "hello, Ada!\n" });
    expect(stale.stderr).not.toContain("via daemon");
  });

  it("daemon start | status | stop, with a 0600 socket in a 0700 directory", async () => {
    const home = tempDir("fb-home-");
    const project = tempDir("fb-proj-");
    const env = { ...isolatedEnv(home), XDG_RUNTIME_DIR: tempDir("fb-run-") };
    const run = (args: string[]) => runCli(args, { cwd: project, env });
    onTestFinished(async () => {
      await run(["daemon", "stop"]);
    });
    expect((await run(["daemon", "status"])).code).toBe(3);
    const started = await run(["daemon", "start"]);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^started \(pid \d+\)/);
    const socket = path.join(env.XDG_RUNTIME_DIR, "firebreak", "daemon.sock");
    expect(fs.statSync(socket).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);
    expect((await run(["daemon", "start"])).stdout).toMatch(/^already running/);
    const status = await run(["daemon", "status", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, socket, status: "ok" });
    expect((await run(["run", "hello-world"])).stderr).toContain("via daemon");
    const stopped = await run(["daemon", "stop"]);
    expect(stopped.stdout).toMatch(/^stopped \(pid \d+\)/);
    expect(fs.existsSync(socket)).toBe(false);
    expect(fs.existsSync(path.join(home, ".state/firebreak/daemon.pid"))).toBe(false);
    expect((await run(["daemon", "status"])).code).toBe(3);
  });
});

const vmEnv = await vmTestEnv();
reportMissingVmEnv(vmEnv, "a VM-placed command through the daemon");
describe.runIf(vmEnv.ok)("a VM-placed command through the daemon", () => {
  it("runs deploy in a microVM through the daemon and prints what in-process prints", async () => {
    const home = tempDir("fb-home-");
    const project = tempDir("fb-proj-");
    // The guest image lives in the real state dir (built by the test set-up); everything else in a temp home.
    writeTree(project, { "firebreak.toml": `[vm]\nbackend = "qemu"\ncache_dir = ${JSON.stringify(resolvePaths(process.env).stateDir)}\n`, "index.html": "<h1>app</h1>\n" });
    const env = isolatedEnv(home);
    const daemon = await startDaemon(env, project);
    try {
      const args = ["run", "deploy", "staging", "--dry-run"];
      const remote = await runCli(args, { cwd: project, env: { ...env, FIREBREAK_SOCKET: daemon.socket } });
      const local = await runCli(args, { cwd: project, env: { ...env, FIREBREAK_DAEMON: "off" } });
      expect(remote.code).toBe(0);
      expect(remote.code).toBe(local.code);
      // The release is named after the time it was made.
      const stamp = (t: string) => t.replace(/\d{8}T\d{6}Z/g, "<time>");
      expect(stamp(remote.stdout)).toBe(stamp(local.stdout));
      expect(remote.stdout).toContain("deploy: dry run");
      // The VM's id, readiness time and whether its template was just made differ between two runs.
      const normalise = (s: string) =>
        s
          .replace(" · via daemon", "")
          .replace(/qemu \S+/g, "qemu VM")
          .replace(/ready in \d+ ms/g, "ready in N ms")
          .replace(" (template just created)", "")
          .replace(/taken warm from the pool \(\w+\), /, "")
          // Only a slow start says it is still starting (the daemon's VM came warm from its pool).
          .replace(/^firebreak: still starting the microVM.*\n/gm, "");
      expect(normalise(remote.stderr)).toBe(normalise(local.stderr));
      expect(remote.stderr).toMatch(/→ microVM · risk \w+ · role developer · via daemon/);
      expect(remote.stderr).toContain("ran in a microVM");
      // The installed command relays the same VM run through the native launcher.
      const relayed = await runCli(args, { cwd: project, env: { ...env, FIREBREAK_SOCKET: daemon.socket }, entry: "command" });
      expect(relayed.code).toBe(0);
      expect(stamp(relayed.stdout)).toBe(stamp(remote.stdout));
      expect(normalise(relayed.stderr)).toBe(normalise(remote.stderr));
      const metrics = (await daemon.get("/metrics")).text;
      expect(metricValue(metrics, "firebreak_invocations_total", { placement: "vm", outcome: "completed" })).toBe(2);
      expect(metrics).toMatch(/firebreak_vm_phase_seconds_count\{phase="ready"\} 2/);
    } finally {
      await daemon.stop();
    }
  });
});
