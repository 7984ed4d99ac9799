/**
 * `npm run bench -- pool`: the daemon's VM pool with real microVMs, measured side by side in one run by
 * `firebreak pool bench --json` against a daemon started here (its own home; the machine's guest image):
 * - allocation from a warm pool to a command started in the guest (target p50 <= 5 ms)
 * - a VM-placed `true` vs a host-placed `true` through the daemon, 100-file workspace (target <= 1.5x)
 * - 30 concurrent VM-placed runs (target 0 failures, p99/p50 <= 1.5)
 * - memory (PSS) per ready idle VM (target <= 40 MB for the default 256 MiB type)
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PoolBenchResult } from "../src/client/pool-bench.js";
import { resolvePaths } from "../src/paths.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");
const BIN = path.join(root, "bin", "firebreak.js");
const CONCURRENCY = 30;
const READY_TIMEOUT_MS = 120_000;

const verdict = (ok: boolean) => (ok ? "met" : "NOT met");

async function startDaemon(socket: string, cwd: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, "serve", "--socket", socket], { cwd, env, stdio: ["ignore", "ignore", "inherit"] });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const r = spawnSync(process.execPath, [BIN, "pool", "status", "--json"], { cwd, env: { ...env, FIREBREAK_SOCKET: socket }, encoding: "utf8" });
    if (r.status === 0) {
      const status = JSON.parse(r.stdout) as { types: { ready: number; min_ready: number }[] };
      if (status.types.every((t) => t.ready >= t.min_ready)) return child;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill();
  throw new Error("firebreak serve did not fill its pool in time (is the guest image built? firebreak vm image build)");
}

export async function runPoolBench(): Promise<PoolBenchResult> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "fb-poolbench-"));
  const cwd = path.join(home, "project");
  fs.mkdirSync(cwd);
  // The user configuration (not a project's): the benchmark's workspace is a temp dir outside any project.
  fs.mkdirSync(path.join(home, "c", "firebreak"), { recursive: true });
  fs.writeFileSync(
    path.join(home, "c", "firebreak", "config.toml"),
    `[vm]\ncache_dir = ${JSON.stringify(resolvePaths(process.env).stateDir)}\n\n[pool]\nmin_ready = 2\nmax_total = ${CONCURRENCY + 2}\nmax_concurrent = ${CONCURRENCY + 2}\n`,
  );
  const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, "c"), XDG_STATE_HOME: path.join(home, "s"), };
  const socket = path.join(home, "d.sock");
  const daemon = await startDaemon(socket, cwd, env);
  const loadAt = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
  console.log(`pool: load average at start ${loadAt()}`);
  try {
    const r = spawnSync(process.execPath, [BIN, "pool", "bench", "--json", "--concurrency", String(CONCURRENCY)], { cwd, env: { ...env, FIREBREAK_SOCKET: socket }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`pool bench failed: ${r.stderr}`);
    const b = JSON.parse(r.stdout) as PoolBenchResult;
    const alloc = b.allocate_ms?.p50 ?? Number.NaN;
    console.log(`pool: acquire (warm pool → VM handed over, agent answering) p50 ${b.acquire_ms?.p50} ms, p99 ${b.acquire_ms?.p99} ms`);
    console.log(`pool: allocation (warm pool → command started in the guest) p50 ${alloc} ms, p90 ${b.allocate_ms?.p90} ms, p99 ${b.allocate_ms?.p99} ms (target p50 <= 5 ms: ${verdict(alloc <= 5)}; was 76 ms restore + 54 ms first command: ${(130 / alloc).toFixed(1)}x faster)`);
    console.log(`pool: VM-placed true ${b.vm_ms} ms vs host-placed true ${b.host_ms} ms through the daemon, ${b.workspace_files}-file workspace: ${b.vm_vs_host_ratio}x (target <= 1.5: ${verdict((b.vm_vs_host_ratio ?? Number.POSITIVE_INFINITY) <= 1.5)})`);
    const c = b.concurrency;
    console.log(`pool: ${c.n} concurrent VM-placed runs: ${c.failures} failed, p50 ${c.p50_ms} ms, p99 ${c.p99_ms} ms, p99/p50 ${c.p99_over_p50} (target 0 failures and <= 1.5: ${verdict(c.failures === 0 && (c.p99_over_p50 ?? Number.POSITIVE_INFINITY) <= 1.5)})`);
    console.log(`pool: PSS per ready idle VM ${b.ready_pss_mb} MB with ${b.ready_pss_samples.length} ready (samples ${b.ready_pss_samples.join(", ")}), ${b.ready_pss_at_load.mean_mb} MB with ${b.ready_pss_at_load.ready} ready (target <= 40 MB: ${verdict((b.ready_pss_mb ?? Number.POSITIVE_INFINITY) <= 40)} / ${verdict((b.ready_pss_at_load.mean_mb ?? Number.POSITIVE_INFINITY) <= 40)})`);
    console.log(`pool: load average at the end ${loadAt()}`);
    return b;
  } finally {
    daemon.kill("SIGTERM");
    await new Promise((resolve) => daemon.once("exit", resolve));
    fs.rmSync(home, { recursive: true, force: true });
  }
}
