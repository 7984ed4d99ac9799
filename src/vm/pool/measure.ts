import { readFile } from "node:fs/promises";
import { PoolError } from "../../errors.js";
import { type Percentiles, percentiles } from "./sample-window.js";
import type { VmPool } from "./vm-pool.js";

const READY_WAIT_MS = 60_000;
const READY_POLL_MS = 20;

/**
 * Allocation latency from a warm pool: for each sample, waits (unmeasured) until the type has a ready VM, then times
 * `acquire()` up to the agent reporting a command (`true`) started in the guest, and releases the VM.
 *
 * @example const { allocate_ms } = await measureAllocation(pool, "default", 20);
 */
export async function measureAllocation(pool: VmPool, typeName: string, samples: number): Promise<{ type: string; samples: number; acquire_ms: Percentiles | null; allocate_ms: Percentiles | null; run_ms: Percentiles | null }> {
  const type = pool.type(typeName);
  const acquire: number[] = [];
  const allocate: number[] = [];
  const run: number[] = [];
  for (let i = 0; i < samples; i++) {
    await waitForReady(() => type.ready.length > 0, READY_WAIT_MS, `no ready VM of type ${typeName} within ${READY_WAIT_MS} ms (is min_ready 0, or is the backend unavailable?)`);
    const t0 = performance.now();
    const lease = await pool.acquire({ shape: type.shape });
    acquire.push(performance.now() - t0);
    try {
      let startedAt: number | undefined;
      await lease.agent.exec({ script: "true", cwd: "/", clearEnv: true, env: { PATH: "/usr/bin:/bin" } }, { onStarted: () => (startedAt = performance.now()), timeoutMs: 10_000 });
      if (startedAt !== undefined) allocate.push(startedAt - t0);
      run.push(performance.now() - t0);
    } finally {
      await lease.release();
    }
  }
  return { type: typeName, samples, acquire_ms: percentiles(acquire), allocate_ms: percentiles(allocate), run_ms: percentiles(run) };
}

/**
 * Proportional set size of each ready VM's VMM process (its private pages plus its share of pages it shares with other
 * clones of the same template), in MB.
 */
export async function readyPssMb(pool: VmPool, opts: { refillWaitMs?: number } = {}): Promise<{ type: string; pid: number; pss_mb: number }[]> {
  // Measured on a full pool: right after allocations the ready VMs are still being replaced.
  await waitForReady(() => pool.types.every((t) => t.ready.length >= t.minReady), opts.refillWaitMs ?? 0, "").catch(() => {});
  const out = [];
  for (const t of pool.types) {
    for (const p of t.ready) {
      if (p.vm.pid === undefined) continue;
      const rollup = await readFile(`/proc/${p.vm.pid}/smaps_rollup`, "utf8").catch(() => "");
      const kb = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1]);
      if (Number.isFinite(kb)) out.push({ type: t.name, pid: p.vm.pid, pss_mb: Math.round(kb / 102.4) / 10 });
    }
  }
  return out;
}

async function waitForReady(ready: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!ready()) {
    if (performance.now() > deadline) throw new PoolError(message);
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
}
