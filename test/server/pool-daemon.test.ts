/**
 * The pool in a real `firebreak serve` with real microVMs under TCG: filled within seconds, maintained on demand,
 * lending reseeded VMs (never sharing a boot id, a random stream or a wrong clock), 30 concurrent VM-placed runs.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolvePaths } from "../../src/paths.js";
import { vmConfigSchema } from "../../src/vm/config-schema.js";
import type { PoolStatus } from "../../src/vm/pool/status.js";
import { VmRuntime } from "../../src/vm/runtime.js";
import { runCli } from "../helpers/cli.js";
import { definition, isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";
import { reportMissingVmEnv, vmTestEnv } from "../vm/qemu/vm-env.js";
import { type DaemonProcess, startDaemon } from "./daemon-process.js";

const VM_TIMEOUT_MS = 300_000;
const CONCURRENT_RUNS = 30;

const vmEnv = await vmTestEnv();
reportMissingVmEnv(vmEnv, "the daemon's VM pool");

describe.runIf(vmEnv.ok)("the daemon's VM pool (real microVMs)", { timeout: VM_TIMEOUT_MS }, () => {
  const home = tempDir("fb-home-");
  const project = tempDir("fb-proj-");
  let env: NodeJS.ProcessEnv;
  let daemon: DaemonProcess;
  const cli = (...args: string[]) => runCli(args, { cwd: project, env: { ...env, FIREBREAK_SOCKET: daemon.socket } });

  beforeAll(async () => {
    writeTree(project, {
      "firebreak.toml": `[vm]\nbackend = "qemu"\ncache_dir = ${JSON.stringify(resolvePaths(process.env).stateDir)}\n\n[pool]\nmin_ready = 2\nmax_total = ${CONCURRENT_RUNS + 2}\nmax_concurrent = ${CONCURRENT_RUNS + 2}\nmaintenance_interval_s = 0\n`,
      ".firebreak/commands/vm-true.md": definition("vm-true", "execution_mode: firecracker\n", "true"),
      "notes.txt": "a workspace file\n",
    });
    env = isolatedEnv(home);
    // The default shape's template is made first (once per image; a cold boot): what is timed is the pool's fill.
    const runtime = new VmRuntime(vmConfigSchema.parse({ backend: "qemu" }), resolvePaths(process.env).stateDir);
    const { backend } = await runtime.select();
    await runtime.template(backend!, (await runtime.image())!, runtime.shape(undefined));
    daemon = await startDaemon(env, project);
  }, VM_TIMEOUT_MS);
  afterAll(async () => {
    await daemon?.stop();
  });

  it("shows 2 ready VMs of the default type within 15 s of start", async () => {
    const deadline = Date.now() + 15_000;
    let status: PoolStatus | undefined;
    while (Date.now() < deadline) {
      const r = await cli("pool", "status", "--json");
      expect(r.code, r.stderr).toBe(0);
      status = JSON.parse(r.stdout) as PoolStatus;
      if ((status.types.find((t) => t.name === "default")?.ready ?? 0) >= 2) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status?.types.find((t) => t.name === "default")?.ready).toBeGreaterThanOrEqual(2);
    const text = await cli("pool", "status");
    expect(text.stdout).toMatch(/default\s+1 vCPU 256 MB\s+2\/2/);
  });

  it("pool maintain full exits 0 and reports all six operations", async () => {
    const r = await cli("pool", "maintain", "full", "--json");
    expect(r.code, r.stderr).toBe(0);
    const reports = JSON.parse(r.stdout) as { op: string; ok: boolean }[];
    expect(reports.map((x) => x.op)).toEqual(["health-check", "cleanup", "recycle", "snapshot-refresh", "rebalance", "full"]);
    expect(reports.every((x) => x.ok)).toBe(true);
    const audit = await runCli(["audit", "tail", "-n", "20", "--json"], { cwd: project, env: { ...env, FIREBREAK_DAEMON: "off" } });
    expect(audit.stdout).toContain("pool maintenance health-check: ok");
  });

  it("lends reseeded VMs: two pooled VMs never share a boot id or a random uuid stream, and their clocks are right", async () => {
    const probe = "cat /proc/sys/kernel/random/boot_id /proc/sys/kernel/random/uuid; date +%s";
    const seen = [];
    for (let i = 0; i < 2; i++) {
      const r = await cli("sh", "--vm", "--json", "--", probe);
      expect(r.code, r.stderr).toBe(0);
      const { result } = JSON.parse(r.stdout) as { result: { stdout: string; vm: { origin: string } } };
      expect(result.vm.origin).toBe("pool");
      const [bootId, uuid, clock] = result.stdout.trim().split("\n");
      expect(Math.abs(Number(clock) - Date.now() / 1000)).toBeLessThan(2);
      seen.push({ bootId, uuid });
    }
    expect(seen[0]!.bootId).not.toBe(seen[1]!.bootId);
    expect(seen[0]!.uuid).not.toBe(seen[1]!.uuid);
  });

  it(`${CONCURRENT_RUNS} concurrent 'firebreak run' of a VM-placed command all succeed`, async () => {
    const runs = await Promise.all(Array.from({ length: CONCURRENT_RUNS }, () => cli("run", "vm-true")));
    const failed = runs.filter((r) => r.code !== 0);
    expect(failed.map((r) => r.stderr)).toEqual([]);
    const metrics = await daemon.get("/metrics");
    expect(metrics.text).toMatch(/firebreak_pool_allocations_total\{type="default",strategy="first-available"\} \d+/);
    expect(metrics.text).toMatch(/firebreak_pool_vms\{type="default",state="ready"\}/);
  });
});

describe("without a daemon", () => {
  it("pool commands say that the pool lives in firebreak serve", async () => {
    const home = tempDir("fb-home-");
    const r = await runCli(["pool", "status"], { cwd: home, env: { ...isolatedEnv(home), FIREBREAK_SOCKET: path.join(home, "none.sock") } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("the VM pool lives in the daemon");
    expect(r.stderr).toContain("firebreak serve");
  });
});
