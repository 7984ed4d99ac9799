import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DaemonError } from "../errors.js";
import type { DaemonClient } from "./daemon-client.js";

/** What `firebreak pool bench --json` prints. */
export interface PoolBenchResult {
  type: string;
  /** Request to a VM handed over with its agent answering (the pool's own work). */
  acquire_ms: { p50: number; p90: number; p95: number; p99: number } | null;
  /** Request to the agent reporting a command started in the guest (fork + exec there included). */
  allocate_ms: { p50: number; p90: number; p95: number; p99: number } | null;
  /** Median VM-placed `true` over median host-placed `true`, both through the daemon, same workspace. */
  vm_vs_host_ratio: number | null;
  host_ms: number | null;
  vm_ms: number | null;
  workspace_files: number;
  concurrency: { n: number; warmed: number; failures: number; p50_ms: number | null; p99_ms: number | null; p99_over_p50: number | null; errors: string[] };
  /** Mean PSS of the ready VMs' VMM processes. */
  ready_pss_mb: number | null;
  ready_pss_samples: number[];
  /** The same once the pool holds as many ready VMs as there were concurrent runs (shared pages split further). */
  ready_pss_at_load: { ready: number; mean_mb: number | null };
}

export interface PoolBenchOptions {
  type: string;
  samples: number;
  concurrency: number;
  files: number;
  /** Runs per placement for the VM/host ratio. */
  runs: number;
}

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]! : null);
const nearestRank = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]! : null);
const round = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);

/**
 * Measures the daemon's pool side by side in one run: allocation from the warm pool (inside the daemon), a VM-placed
 * and a host-placed `true` through the daemon in a workspace of small files, N concurrent VM-placed runs, and the ready
 * VMs' memory.
 *
 * @example const result = await poolBench(client, { type: "default", samples: 20, concurrency: 30, files: 100, runs: 10 });
 */
export async function poolBench(client: DaemonClient, opts: PoolBenchOptions): Promise<PoolBenchResult> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "firebreak-pool-bench-"));
  try {
    for (let i = 0; i < opts.files; i++) fs.writeFileSync(path.join(workspace, `file-${i}.txt`), `small file ${i}\n`);
    const inDaemon = await client.json<{ acquire_ms: PoolBenchResult["acquire_ms"]; allocate_ms: PoolBenchResult["allocate_ms"]; ready_pss_mb: { pss_mb: number }[]; error?: { message: string } }>("POST", "/v1/pool/bench", { type: opts.type, samples: opts.samples });
    if (inDaemon.status !== 200) throw new DaemonError(`pool bench: ${inDaemon.body.error?.message ?? `status ${inDaemon.status}`}`);

    const run = async (vm: boolean): Promise<number> => {
      const t0 = performance.now();
      const res = await client.json<{ result?: { exitCode: number }; error?: { message: string }; message?: string }>("POST", "/v1/runs", { line: "true", cwd: workspace, yes: true, ...(vm ? { vm: true } : {}) });
      const ms = performance.now() - t0;
      if (res.status !== 200 || res.body.result?.exitCode !== 0) throw new DaemonError(`a ${vm ? "VM" : "host"}-placed run failed: ${res.body.error?.message ?? res.body.message ?? `status ${res.status}`}`);
      return ms;
    };
    // Warm both paths once, then alternate so load changes hit both alike.
    await run(false);
    await run(true);
    const host: number[] = [];
    const vm: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      host.push(await run(false));
      vm.push(await run(true));
    }

    // The pool holds as many ready VMs as there are concurrent runs (within max_total): what a pool sized for the load
    // serves. Runs beyond max_total would wait for VMs to be made, which this measures separately (allocate_ms).
    const status = await client.json<{ types: { name: string; ready: number; max_total: number; in_use: number; starting: number }[] }>("GET", "/v1/pool");
    const type = status.body.types.find((t) => t.name === opts.type);
    const missing = type ? Math.max(0, Math.min(opts.concurrency, type.max_total) - type.ready - type.starting) : 0;
    if (missing > 0) await client.json("POST", "/v1/pool/warm", { type: opts.type, n: missing });
    const settled = await Promise.allSettled(Array.from({ length: opts.concurrency }, () => run(true)));
    const times = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const errors = settled.flatMap((s) => (s.status === "rejected" ? [(s.reason as Error).message] : []));
    const atLoad = await pssAtLoad(client, opts.type, Math.min(opts.concurrency, type?.max_total ?? opts.concurrency));
    const p50 = nearestRank(times, 50);
    const p99 = nearestRank(times, 99);
    const pss = inDaemon.body.ready_pss_mb.map((r) => r.pss_mb);
    return {
      type: opts.type,
      acquire_ms: inDaemon.body.acquire_ms,
      allocate_ms: inDaemon.body.allocate_ms,
      vm_vs_host_ratio: round(median(vm)! / median(host)!),
      host_ms: round(median(host)),
      vm_ms: round(median(vm)),
      workspace_files: opts.files,
      concurrency: { n: opts.concurrency, warmed: missing, failures: errors.length, p50_ms: round(p50), p99_ms: round(p99), p99_over_p50: p50 && p99 ? round(p99 / p50) : null, errors: [...new Set(errors)].slice(0, 5) },
      ready_pss_mb: pss.length ? round(pss.reduce((a, b) => a + b, 0) / pss.length) : null,
      ready_pss_samples: pss,
      ready_pss_at_load: atLoad,
    };
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

const REFILL_WAIT_MS = 90_000;

/**
 * Waits (up to 90 s) for the pool to refill to what the load asked of it (its demand target, at most `ready`), then
 * reads the ready VMs' mean PSS.
 */
async function pssAtLoad(client: DaemonClient, type: string, ready: number): Promise<{ ready: number; mean_mb: number | null }> {
  const deadline = Date.now() + REFILL_WAIT_MS;
  while (Date.now() < deadline) {
    const status = await client.json<{ types: { name: string; ready: number; starting: number; target_ready: number }[] }>("GET", "/v1/pool");
    const t = status.body.types.find((x) => x.name === type);
    if (!t || (t.starting === 0 && t.ready >= Math.min(ready, t.target_ready))) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const res = await client.json<{ ready_pss_mb: { pss_mb: number }[] }>("POST", "/v1/pool/bench", { type, samples: 0 });
  const pss = res.body.ready_pss_mb?.map((r) => r.pss_mb) ?? [];
  return { ready: pss.length, mean_mb: pss.length ? round(pss.reduce((a, b) => a + b, 0) / pss.length) : null };
}
