/**
 * `resource-monitor`: while a local command runs, samples its process tree from /proc
 * (every `sample_interval_ms`), records peak RSS and CPU time, and kills the tree when
 * `max_memory_mb` or `max_cpu_time` (seconds) is exceeded.
 *
 * Limits: the command's `resource_limits`, made stricter (never looser) by the config's
 * ceilings. The kill goes through the engine's `proc.kill(reason)` (so the exit reason is
 * stated) and, as a backstop, SIGKILL to the process group and every sampled pid.
 *
 * @example
 * // resource_limits = { max_memory_mb = 256 }
 * // stop() -> { peak_rss_mb: 257.1, cpu_time_ms: 830, samples: 12,
 * //             killed: "killed: memory 257 MiB exceeded max_memory_mb 256", ... }
 */
import type { ResourceMonitorConfig } from "../config.js";
import { sampleProcessTree, type TreeSample } from "../monitor/proc-tree.js";
import { builtinIdentity, } from "../presets.js";
import type { Hook, HookContext, ProcessMonitor, SpawnedProcess } from "../types.js";

const MIB = 1024 * 1024;

export interface EffectiveLimits {
  maxMemoryMb?: number;
  maxCpuTimeS?: number;
}

function stricter(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

export function effectiveLimits(ctx: HookContext, config: ResourceMonitorConfig): EffectiveLimits {
  const out: EffectiveLimits = {};
  const mem = stricter(ctx.command.resourceLimits?.max_memory_mb, config.max_memory_mb);
  const cpu = stricter(ctx.command.resourceLimits?.max_cpu_time, config.max_cpu_time);
  if (mem !== undefined) out.maxMemoryMb = mem;
  if (cpu !== undefined) out.maxCpuTimeS = cpu;
  return out;
}

/** The reason a sample breaks a limit, or undefined. */
export function limitBreach(sample: TreeSample, limits: EffectiveLimits): string | undefined {
  if (limits.maxMemoryMb !== undefined && sample.rssBytes > limits.maxMemoryMb * MIB) {
    return `killed: memory ${Math.round(sample.rssBytes / MIB)} MiB exceeded max_memory_mb ${limits.maxMemoryMb}`;
  }
  if (limits.maxCpuTimeS !== undefined && sample.cpuMs > limits.maxCpuTimeS * 1000) {
    return `killed: cpu time ${(sample.cpuMs / 1000).toFixed(2)} s exceeded max_cpu_time ${limits.maxCpuTimeS}`;
  }
  return undefined;
}

function killTree(proc: SpawnedProcess, pids: number[], reason: string): void {
  try {
    proc.kill(reason);
  } catch {
    // the backstop below still runs
  }
  try {
    // Only hits the command's own group: a group id is the pid of its (still reserved) leader.
    process.kill(-proc.pid, "SIGKILL");
  } catch {
    // not a group leader, or already gone
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

export function startResourceMonitor(
  proc: SpawnedProcess,
  limits: EffectiveLimits,
  intervalMs: number,
): ProcessMonitor {
  let peakRss = 0;
  let peakCpu = 0;
  let peakProcs = 0;
  let samples = 0;
  let killed: string | undefined;
  let sampleError: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const tick = async () => {
    try {
      const s = await sampleProcessTree(proc.pid);
      if (s.pids.length === 0) return;
      samples++;
      peakRss = Math.max(peakRss, s.rssBytes);
      peakCpu = Math.max(peakCpu, s.cpuMs);
      peakProcs = Math.max(peakProcs, s.pids.length);
      const breach = killed ? undefined : limitBreach(s, limits);
      if (breach) {
        killed = breach;
        killTree(proc, s.pids, breach);
      }
    } catch (err) {
      sampleError = (err as Error).message;
    }
  };
  // setTimeout chain, not setInterval: a slow sample never overlaps the next one.
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = tick().then(schedule);
    }, intervalMs);
    timer.unref();
  };
  inFlight = tick().then(schedule);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      const out: Record<string, unknown> = {
        samples,
        sample_interval_ms: intervalMs,
        peak_rss_mb: Math.round((peakRss / MIB) * 10) / 10,
        cpu_time_ms: Math.round(peakCpu),
        peak_processes: peakProcs,
        limits: { max_memory_mb: limits.maxMemoryMb ?? null, max_cpu_time: limits.maxCpuTimeS ?? null },
      };
      if (killed) out.killed = killed;
      if (sampleError) out.sample_error = sampleError;
      return out;
    },
  };
}

export function createResourceMonitorHook(config: ResourceMonitorConfig): Hook {
  return {
    ...builtinIdentity("resource-monitor", config),
    phases: [],
    async run() {
      return { action: "continue" };
    },
    onSpawn(ctx, proc) {
      return startResourceMonitor(proc, effectiveLimits(ctx, config), config.sample_interval_ms);
    },
  };
}
