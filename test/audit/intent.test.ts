import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { AuditLog } from "../../src/audit/log.js";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { REPO_ROOT, writeTree } from "../helpers/tmp.js";

/** Starts `firebreak run slow` (a local `sleep 30`) and resolves once the command is running. */
async function startSlowRun(project: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/firebreak.js"), "run", "slow"], { cwd: project, env });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while (!stderr.includes("slow →") && Date.now() < deadline) await sleep(20);
  await sleep(300);
  return { child, exited, stderr: () => stderr };
}

function setup() {
  const { home, project, env: base } = freshCliProject();
  const env = { ...base, FIREBREAK_TRUST_PROJECT: "1" };
  writeTree(project, {
    "firebreak.toml": '[vm]\nbackend = "none"\n',
    ".firebreak/commands/slow.md": "---\nname: slow\ndescription: d\ncommand: sleep 30\n---\n",
  });
  return { env, project, log: new AuditLog(path.join(home, ".state/firebreak/audit")) };
}

describe("intent records (issue 11, item 6)", () => {
  it("a run records its intent before it starts; SIGTERM mid-command records it as cancelled", async () => {
    const { env, project, log } = setup();
    const run = await startSlowRun(project, env);
    expect(log.tail(10).map((r) => r.kind)).toEqual(["intent"]);
    expect(fs.readdirSync(path.join(log.dir, "open"))).toHaveLength(1);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(143);
    const records = log.tail(10);
    expect(records.map((r) => r.kind)).toEqual(["intent", "cancelled"]);
    expect(records[1]?.id).toBe(records[0]?.id);
    expect(fs.readdirSync(path.join(log.dir, "open"))).toEqual([]);
    expect(log.verify().ok).toBe(true);
  }, 60_000);

  it("a run whose firebreak was SIGKILLed is closed as interrupted by the next append", async () => {
    const { env, project, log } = setup();
    const run = await startSlowRun(project, env);
    run.child.kill("SIGKILL");
    await run.exited;
    expect(log.tail(10).map((r) => r.kind)).toEqual(["intent"]);
    const next = await runCli(["run", "hello-world"], { cwd: project, env });
    expect(next.code).toBe(0);
    const records = log.tail(10);
    expect(records.map((r) => r.kind)).toEqual(["intent", "interrupted", "intent", "run"]);
    expect(records[1]?.id).toBe(records[0]?.id);
    expect(records[1]?.reasons[0]).toMatch(/ended without recording how the run ended/);
    expect(log.verify().ok).toBe(true);
  }, 60_000);
});
