import { type BootPhaseRecord, PHASE_ORDER, type PhaseName } from "./record.js";

/** One phase of one boot, beside the same phase of earlier comparable boots. */
export interface PhaseAnalysis {
  phase: PhaseName;
  /** ms since spawn when the phase was reached. */
  at_ms: number;
  /** ms since the previous phase reached. */
  duration_ms: number;
  /** Median duration of the same phase over the comparable records that reached it; absent without history. */
  median_ms?: number;
  /** duration / median (absent without history or with a zero median). */
  ratio?: number;
  /** The phase that lost the most time against its median (when none is clearly slower than usual: the longest). */
  slowest: boolean;
  /** Why it is slow, where that is known. */
  cause?: string;
}

export interface BootAnalysis {
  kind: BootPhaseRecord["kind"];
  backend: string;
  accel?: "kvm" | "tcg";
  shape: BootPhaseRecord["shape"];
  /** How many earlier records (same kind, backend and shape) were compared against. */
  compared: number;
  phases: PhaseAnalysis[];
  slowest?: PhaseName;
  /** Spawn to agent-ready (a warm-up, which only some callers run, is left out so every record compares). */
  ready: { ms: number; median_ms?: number; ratio?: number };
  /** Things worth knowing that belong to no one phase (e.g. no warm-up). */
  notes: string[];
}

/** A phase this many times its median is slow even when it is not the slowest. */
export const SLOW_RATIO = 1.5;
/** Below this many ms of excess, or this ratio, a phase is as fast as usual (noise). */
export const SLOW_EXCESS_MS = 5;
export const NOISE_RATIO = 1.2;

/**
 * Compares one boot or restore with the last `n` comparable ones (same kind, backend and shape): each phase's duration,
 * its median, the ratio, the slowest phase, and a cause where one is known.
 *
 * @example
 * const a = analyzeBoot(record, await readPhaseRecords(stateDir, 500));
 * a.slowest; // "kernel_start"
 * a.phases.find((p) => p.slowest)?.cause; // "no usable KVM: the guest CPU is emulated (TCG)"
 */
export function analyzeBoot(current: BootPhaseRecord, history: readonly BootPhaseRecord[], n = 20): BootAnalysis {
  const comparable = history.filter((h) => h !== current && isComparable(h, current)).slice(-n);
  const mine = durations(current);
  const past = comparable.map(durations);
  const phases: PhaseAnalysis[] = mine.map(({ phase, at, duration }) => {
    const same = past.flatMap((d) => d.filter((x) => x.phase === phase).map((x) => x.duration));
    const median = same.length ? medianOf(same) : undefined;
    const analysis: PhaseAnalysis = { phase, at_ms: at, duration_ms: duration, slowest: false };
    if (median !== undefined) {
      analysis.median_ms = median;
      if (median > 0) analysis.ratio = round2(duration / median);
    }
    return analysis;
  });

  const excess = (p: PhaseAnalysis) => (p.median_ms === undefined ? 0 : p.duration_ms - p.median_ms);
  const timed = phases.filter((p) => p.phase !== "spawn");
  const overMedian = timed.filter((p) => excess(p) >= SLOW_EXCESS_MS && (p.ratio ?? Number.POSITIVE_INFINITY) >= NOISE_RATIO);
  const pick = overMedian.length ? maxBy(overMedian, excess) : maxBy(timed, (p) => p.duration_ms);
  if (pick) pick.slowest = true;

  for (const p of timed) {
    const slow = p.slowest || ((p.ratio ?? 0) >= SLOW_RATIO && excess(p) >= SLOW_EXCESS_MS);
    if (!slow) continue;
    const causes = causesOf(p.phase, current);
    if (causes.length) p.cause = causes.join("; ");
  }

  const readies = comparable.map(readyMs);
  const readyMedian = readies.length ? medianOf(readies) : undefined;
  const notes: string[] = [];
  if (current.phases.warm_up === undefined && current.kind === "restore" && current.accel !== "kvm") {
    notes.push("no warm-up: the first command after this restore pays for re-translating the guest's code");
  }
  if (!comparable.length) notes.push(`no earlier ${current.kind} of this shape on ${current.backend} to compare with`);
  return {
    kind: current.kind,
    backend: current.backend,
    ...(current.accel ? { accel: current.accel } : {}),
    shape: current.shape,
    compared: comparable.length,
    phases,
    slowest: pick?.phase,
    ready: { ms: readyMs(current), ...(readyMedian !== undefined ? { median_ms: readyMedian, ...(readyMedian > 0 ? { ratio: round2(readyMs(current) / readyMedian) } : {}) } : {}) },
    notes,
  };
}

function readyMs(r: BootPhaseRecord): number {
  return r.phases.agent_ready ?? r.total_ms;
}

function isComparable(a: BootPhaseRecord, b: BootPhaseRecord): boolean {
  return a.kind === b.kind && a.backend === b.backend && a.shape.vcpus === b.shape.vcpus && a.shape.memoryMb === b.shape.memoryMb;
}

/** Each phase reached, with its time since spawn and since the previous phase reached. */
function durations(r: BootPhaseRecord): { phase: PhaseName; at: number; duration: number }[] {
  const out: { phase: PhaseName; at: number; duration: number }[] = [];
  let previous = 0;
  for (const phase of PHASE_ORDER) {
    const at = r.phases[phase];
    if (typeof at !== "number") continue;
    out.push({ phase, at, duration: Math.max(0, at - previous) });
    previous = Math.max(previous, at);
  }
  return out;
}

/** What is known to make this phase slow on this record's host and backend. */
function causesOf(phase: PhaseName, r: BootPhaseRecord): string[] {
  const causes: string[] = [];
  const emulated = r.accel === "tcg";
  if (emulated && r.kind === "boot" && (phase === "kernel_start" || phase === "init" || phase === "agent_ready")) {
    causes.push("no usable KVM: the guest CPU is emulated (TCG)");
  }
  if (r.kind === "restore" && r.template_created && (phase === "restore" || phase === "agent_ready")) {
    causes.push("first restore of a template just made: its RAM is read from disk, the page cache is cold");
  }
  if (r.kind === "restore" && emulated && (phase === "agent_ready" || phase === "warm_up")) {
    causes.push("first guest code after restore is re-translated by TCG");
  }
  if (r.load1 !== undefined && r.cpus && r.load1 / r.cpus > 1) {
    causes.push(`host loaded: load ${r.load1} on ${r.cpus} CPU${r.cpus === 1 ? "" : "s"}`);
  }
  return causes;
}

/** The median (mean of the middle two for an even count). */
export function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round(((s[mid - 1]! + s[mid]!) / 2) * 10) / 10;
}

function maxBy<T>(items: readonly T[], score: (t: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || score(item) > score(best)) best = item;
  return best;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
