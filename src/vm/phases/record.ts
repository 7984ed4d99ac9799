import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { lockFile } from "../../file-lock.js";
import type { PhaseTimings, VmHandle } from "../backend.js";
import type { VmRuntime } from "../runtime.js";

/** The boot phases in the order a VM reaches them (a boot has kernel_start and init, a restore has restore). */
export const PHASE_ORDER = ["spawn", "vmm_ready", "kernel_start", "restore", "init", "agent_ready", "warm_up"] as const;
export type PhaseName = (typeof PHASE_ORDER)[number];

/** One boot or restore: ms since the VMM was spawned for each phase reached, with what it ran on. */
export interface BootPhaseRecord {
  /** ISO time the record was made. */
  at: string;
  backend: string;
  accel?: "kvm" | "tcg";
  kind: "boot" | "restore";
  shape: { vcpus: number; memoryMb: number };
  phases: Partial<Record<PhaseName, number>> & { spawn: number };
  /** The last phase reached, in ms since spawn. */
  total_ms: number;
  /** A restore from a template made for this very request: its RAM pages were never mapped by a restore before. */
  template_created?: boolean;
  /** Host load average over one minute, and the host's CPU count, when the VM was ready. */
  load1?: number;
  cpus?: number;
}

export interface PhaseRecordExtra {
  accel?: "kvm" | "tcg";
  templateCreated?: boolean;
  /** The warm-up command's end, in ms since spawn (pooled VMs and `vm boot --analyze` run one). */
  warmUpMs?: number;
  at?: Date;
  /** Default: the host's now (os.loadavg, os.availableParallelism). */
  load?: { load1: number; cpus: number };
}

/** The file under the state dir, one JSON record a line. */
export const PHASES_FILE = "vm-phases.jsonl";
/** Records kept after a trim. */
export const PHASE_RECORDS_KEPT = 500;
/** The file is trimmed back to PHASE_RECORDS_KEPT once it holds more than this many. */
export const PHASE_RECORDS_TRIM_AT = 600;
const LOCK_STALE_MS = 10_000;

/**
 * The phases a VM reached under the names every report uses (`vmm_ready`, `restore`, `agent_ready`, `warm_up`, …: boot
 * records, `vm_phase` events, metrics labels, pool status), in boot order, whole milliseconds since spawn.
 *
 * @example
 * namedPhases({ spawn: 0, vmmReady: 9.4, agentReady: 74 }); // { spawn: 0, vmm_ready: 9, agent_ready: 74 }
 */
export function namedPhases(p: PhaseTimings, warmUpMs?: number): BootPhaseRecord["phases"] {
  const phases: BootPhaseRecord["phases"] = { spawn: p.spawn };
  const put = (name: PhaseName, ms: number | undefined) => {
    if (typeof ms === "number" && Number.isFinite(ms)) phases[name] = Math.round(ms);
  };
  put("vmm_ready", p.vmmReady);
  put("kernel_start", p.kernelStart);
  put("restore", p.restore);
  put("init", p.init);
  put("agent_ready", p.agentReady);
  put("warm_up", warmUpMs);
  return phases;
}

/**
 * The record of a VM that just became ready, from its PhaseTimings and the host's load.
 *
 * @example
 * const record = phaseRecordOf(vm, "restore", { accel: "tcg", templateCreated: false });
 * record.phases; // { spawn: 0, vmm_ready: 9, restore: 61, agent_ready: 74 }
 */
export function phaseRecordOf(vm: Pick<VmHandle, "backend" | "spec" | "phases">, kind: BootPhaseRecord["kind"], extra: PhaseRecordExtra = {}): BootPhaseRecord {
  const phases = namedPhases(vm.phases, extra.warmUpMs);
  const load = extra.load ?? { load1: os.loadavg()[0] ?? 0, cpus: os.availableParallelism() };
  const record: BootPhaseRecord = {
    at: (extra.at ?? new Date()).toISOString(),
    backend: vm.backend,
    kind,
    shape: { vcpus: vm.spec.vcpus, memoryMb: vm.spec.memoryMb },
    phases,
    total_ms: Math.max(...Object.values(phases)),
    load1: Math.round(load.load1 * 100) / 100,
    cpus: load.cpus,
  };
  if (extra.accel) record.accel = extra.accel;
  if (extra.templateCreated) record.template_created = true;
  return record;
}

/** Appends that failed (disk full, permissions): a run never fails for its statistics, but the failures are not hidden. */
const failures = { count: 0, last: undefined as string | undefined };

/** How many phase records could not be written since the process started, and the last reason. */
export function phaseRecordFailures(): { count: number; last?: string } {
  return { ...failures };
}

/**
 * Appends one record to `<stateDir>/vm-phases.jsonl` (one write with O_APPEND, so records of several processes never
 * interleave) and trims the file to the last 500 records once it holds more than 600. Never throws: a failure is
 * counted (phaseRecordFailures) and reported to `onError`.
 *
 * @example
 * void appendPhaseRecord(runtime.stateDir, phaseRecordOf(vm, "boot"));
 */
export async function appendPhaseRecord(stateDir: string, record: BootPhaseRecord, onError?: (message: string) => void): Promise<void> {
  const file = path.join(stateDir, PHASES_FILE);
  try {
    const line = `${JSON.stringify(record)}\n`;
    await fs.mkdir(stateDir, { recursive: true });
    const fh = await fs.open(file, "a", 0o600);
    let wroteTo: { ino: number; dev: number };
    try {
      await fh.write(line);
      wroteTo = await fh.stat();
    } finally {
      await fh.close();
    }
    const now = await fs.stat(file).catch(() => undefined);
    if (!now || now.ino !== wroteTo.ino || now.dev !== wroteTo.dev) {
      // A trim replaced the file around our write: make sure the line is in the new one.
      await underLock(file, async () => {
        const text = await fs.readFile(file, "utf8").catch(() => "");
        if (!text.includes(line)) await fs.appendFile(file, line, { mode: 0o600 });
      });
    } else if (now.size > PHASE_RECORDS_TRIM_AT * Buffer.byteLength(line)) {
      // Records are about the same length: the size says when the count may have passed the trim mark.
      await trimPhaseRecords(file);
    }
  } catch (error) {
    failures.count++;
    failures.last = `could not record VM boot phases in ${file}: ${(error as Error).message}`;
    onError?.(failures.last);
  }
}

async function underLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const release = await lockFile(file, { lockfilePath: `${file}.lock`, realpath: false, stale: LOCK_STALE_MS, retries: { retries: 50, minTimeout: 10, maxTimeout: 200 } });
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * Rewrites the file with its last PHASE_RECORDS_KEPT records (temp file + rename, under a lock so two trims never
 * race). A record written to the old file before the rename is carried over here (read through a descriptor kept
 * open); one written after it is noticed by its writer (the path's inode changed), which adds it under the lock.
 */
function trimPhaseRecords(file: string): Promise<void> {
  return underLock(file, async () => {
    const old = await fs.open(file, "r");
    try {
      const seen = await old.readFile();
      const lines = seen.toString("utf8").split("\n").filter(Boolean);
      if (lines.length <= PHASE_RECORDS_TRIM_AT) return;
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
      await fs.writeFile(tmp, `${lines.slice(-PHASE_RECORDS_KEPT).join("\n")}\n`, { mode: 0o600 });
      await fs.rename(tmp, file);
      const { size } = await old.stat();
      if (size > seen.length) {
        const late = Buffer.alloc(size - seen.length);
        await old.read(late, 0, late.length, seen.length);
        await fs.appendFile(file, late);
      }
    } finally {
      await old.close();
    }
  });
}

/**
 * The last `n` readable records, oldest first (a line that does not parse, e.g. torn by a crash, is skipped).
 *
 * @example
 * const history = await readPhaseRecords(runtime.stateDir, 200);
 */
export async function readPhaseRecords(stateDir: string, n: number): Promise<BootPhaseRecord[]> {
  let text: string;
  try {
    text = await fs.readFile(path.join(stateDir, PHASES_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const out: BootPhaseRecord[] = [];
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0 && out.length < n; i--) {
    const record = parseRecord(lines[i]!);
    if (record) out.push(record);
  }
  return out.reverse();
}

function parseRecord(line: string): BootPhaseRecord | undefined {
  if (!line.trim()) return undefined;
  try {
    const r = JSON.parse(line) as BootPhaseRecord;
    const ok = typeof r === "object" && r !== null && typeof r.backend === "string" && (r.kind === "boot" || r.kind === "restore") && typeof r.phases?.spawn === "number" && typeof r.shape?.memoryMb === "number";
    return ok ? r : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Records a VM the runtime just made ready (the runner's and the pool's one call): accel from the selected backend.
 *
 * @example
 * void recordVmPhases(runtime, vm, "restore", { templateCreated });
 */
export async function recordVmPhases(runtime: Pick<VmRuntime, "select" | "stateDir">, vm: Pick<VmHandle, "backend" | "spec" | "phases">, kind: BootPhaseRecord["kind"], extra: PhaseRecordExtra = {}): Promise<void> {
  try {
    const accel = extra.accel ?? (await runtime.select()).availability?.accel;
    await appendPhaseRecord(runtime.stateDir, phaseRecordOf(vm, kind, { ...extra, accel }));
  } catch (error) {
    failures.count++;
    failures.last = `could not record VM boot phases: ${(error as Error).message}`;
  }
}
