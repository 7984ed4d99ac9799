/**
 * Owner records: every VM run dir holds `owner.json`, naming the firebreak process that started the VM (pid and that
 * pid's start time, so a reused pid is told apart), the VMM's pid and start time, and what the VM created (files,
 * whole trees, its RAM file). `reapOrphans` (orphans.ts) and the per-VM guard (vmm-guard.ts) act only on these.
 */
import fs from "node:fs";
import path from "node:path";

export const OWNER_RECORD_FILE = "owner.json";
const FORMAT = "firebreak-vm-owner-v1";

export interface OwnerRecord {
  format: typeof FORMAT;
  backend: "qemu" | "firecracker";
  ownerPid: number;
  /** Field 22 of /proc/<ownerPid>/stat (clock ticks since boot): a reused pid has another. */
  ownerStart: number;
  /** Absent while the VMM is being spawned. */
  vmmPid?: number;
  vmmStart?: number;
  runDir: string;
  /** Removed whole when the owner is gone (directories the VM created: its own run dir, a jail). */
  trees: string[];
  /** Removed one by one (a run dir the VM did not create keeps everything else). */
  files: string[];
  /** The VM's own guest RAM file, if it has one (restored clones map the template's). */
  ramFile?: string;
  createdAt: string;
}

/**
 * Start time of a live process (field 22 of /proc/<pid>/stat), or undefined when there is no such process or it is a
 * zombie (it has exited; only its exit status waits to be collected).
 *
 * @example processStartTime(process.pid) // 123456
 */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: the fields after it start after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (rest[0] === "Z" || rest[0] === "X") return undefined;
  const start = Number(rest[19]);
  return Number.isFinite(start) ? start : undefined;
}

let ownStart: number | undefined;

/** This process's own identity for owner records. */
export function currentOwner(): { ownerPid: number; ownerStart: number } {
  ownStart ??= processStartTime(process.pid) ?? 0;
  return { ownerPid: process.pid, ownerStart: ownStart };
}

/** Whether the process a record names (pid + start time) still runs. */
export function isAlive(pid: number | undefined, start: number | undefined): boolean {
  if (pid === undefined) return false;
  const now = processStartTime(pid);
  return now !== undefined && now === start;
}

/**
 * Writes (or rewrites) a run dir's owner record atomically: a reader never sees half a record.
 *
 * @example writeOwnerRecord({ ...currentOwner(), backend: "qemu", runDir, trees: [runDir], files: [], createdAt: new Date().toISOString() })
 */
export function writeOwnerRecord(fields: Omit<OwnerRecord, "format">): OwnerRecord {
  const record: OwnerRecord = { format: FORMAT, ...fields };
  const file = path.join(record.runDir, OWNER_RECORD_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return record;
}

/** Reads a run dir's owner record; a missing or unreadable one is an error with the reason. */
export function readOwnerRecord(runDir: string): OwnerRecord {
  const file = path.join(runDir, OWNER_RECORD_FILE);
  const raw = fs.readFileSync(file, "utf8");
  const record = JSON.parse(raw) as Partial<OwnerRecord>;
  if (record.format !== FORMAT) throw new Error(`${file}: format ${String(record.format)}, expected ${FORMAT}`);
  if (!Number.isInteger(record.ownerPid) || typeof record.ownerStart !== "number") throw new Error(`${file}: no owner pid and start time`);
  if (!Array.isArray(record.trees) || !Array.isArray(record.files)) throw new Error(`${file}: no trees/files lists`);
  return record as OwnerRecord;
}
