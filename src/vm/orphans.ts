/**
 * Reaps what VMs left behind when the process that started them is gone (killed with SIGKILL before its guard could
 * act, a host crash, an older firebreak without guards): VMM processes, sockets, run dirs, RAM files and half-made
 * template snapshots. Only what an owner record names, and only after proving the record's owner is dead (pid and
 * start time); nothing of a live owner, nothing without a record. Safe to run while other firebreak processes run VMs.
 */
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive, OWNER_RECORD_FILE, type OwnerRecord, processStartTime, readOwnerRecord } from "./owner-record.js";

/** Prefixes of the run dirs firebreak makes under the run root (VmRuntime.spec, the KVM probe). */
export const RUN_DIR_PREFIXES = ["fbvm-", "fbkvm-"] as const;
export const DEFAULT_RUN_ROOT = "/tmp";
export const DEFAULT_RAM_DIR = "/dev/shm";
/** A VM's own RAM file (booted VMs); template RAM is collected by collect.ts, not here. */
const VM_RAM_FILE = /^firebreak-[0-9a-f]+\.ram$/;
/** How long a killed VMM may take to disappear before its files are removed anyway. */
const KILL_WAIT_MS = 1000;
const KILL_POLL_MS = 5;

export interface OrphanReport {
  killed: { pid: number; runDir: string }[];
  removed: string[];
  kept: { path: string; reason: string }[];
}

export interface ReapOptions {
  /** The state dir: half-made template snapshots under `<stateDir>/snapshots` are reaped too. */
  stateDir: string;
  /** Where run dirs are made (default /tmp). */
  runRoot?: string;
  /** Where VMs' RAM files live (default /dev/shm). */
  ramDir?: string;
}

/**
 * Reaps the VMs of dead owners and reports what it did. Costs a directory listing of the run root, the RAM dir and
 * the snapshots dir when there is nothing to reap.
 *
 * @example
 * const report = await reapOrphans({ stateDir });
 * // { killed: [{ pid: 4242, runDir: "/tmp/fbvm-a1b2c3" }], removed: ["/tmp/fbvm-a1b2c3", …], kept: [] }
 */
export async function reapOrphans(opts: ReapOptions): Promise<OrphanReport> {
  const runRoot = opts.runRoot ?? DEFAULT_RUN_ROOT;
  const ramDir = opts.ramDir ?? DEFAULT_RAM_DIR;
  const report: OrphanReport = { killed: [], removed: [], kept: [] };
  const referencedRam = new Set<string>();
  for (const name of listDir(runRoot)) {
    if (!RUN_DIR_PREFIXES.some((p) => name.startsWith(p))) continue;
    await reapRunDir(path.join(runRoot, name), ramDir, report, referencedRam);
  }
  for (const name of listDir(ramDir)) {
    const file = path.join(ramDir, name);
    if (VM_RAM_FILE.test(name) && !referencedRam.has(file)) report.kept.push({ path: file, reason: "no owner record names this RAM file" });
  }
  const snapshots = path.join(opts.stateDir, "snapshots");
  for (const name of listDir(snapshots)) reapHalfMadeTemplate(path.join(snapshots, name), report);
  return report;
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** A directory this user owns, that nobody else can write into (/tmp is shared: a planted record must do nothing). */
function ownedPrivateDir(dir: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    return "gone";
  }
  if (!st.isDirectory()) return "not a directory";
  if (process.getuid && st.uid !== process.getuid()) return `owned by uid ${st.uid}, not this user`;
  if (st.mode & 0o022) return "writable by group or others";
  return undefined;
}

async function reapRunDir(dir: string, ramDir: string, report: OrphanReport, referencedRam: Set<string>): Promise<void> {
  const unsafe = ownedPrivateDir(dir);
  if (unsafe === "gone") return;
  if (unsafe) return void report.kept.push({ path: dir, reason: unsafe });
  let record: OwnerRecord;
  try {
    record = readOwnerRecord(dir);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    // A run dir is made a moment before its record is written: without one, nothing proves whose it is.
    return void report.kept.push({ path: dir, reason: missing ? "no owner record" : `unreadable owner record: ${(err as Error).message}` });
  }
  if (record.ramFile) referencedRam.add(record.ramFile);
  if (isAlive(record.ownerPid, record.ownerStart)) return void report.kept.push({ path: dir, reason: `owner pid ${record.ownerPid} is alive` });
  // Only what belongs to this dir is ever removed, whatever the record says.
  if (path.resolve(record.runDir) !== dir) return void report.kept.push({ path: dir, reason: `owner record names another run dir (${record.runDir})` });
  const trees = record.trees.filter((t) => path.resolve(t) === dir);
  const files = record.files.filter((f) => path.dirname(path.resolve(f)) === dir);
  const ram = record.ramFile && path.dirname(path.resolve(record.ramFile)) === ramDir && VM_RAM_FILE.test(path.basename(record.ramFile)) ? record.ramFile : undefined;

  if (record.vmmPid !== undefined && isAlive(record.vmmPid, record.vmmStart) && isVmmOf(record.vmmPid, dir)) {
    try {
      process.kill(record.vmmPid, "SIGKILL");
      report.killed.push({ pid: record.vmmPid, runDir: dir });
      await waitGone(record.vmmPid, record.vmmStart);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") return void report.kept.push({ path: dir, reason: `cannot kill VMM ${record.vmmPid}: ${(err as Error).message}` });
    }
  }
  for (const f of [...files.filter((f) => path.basename(f) !== OWNER_RECORD_FILE), ...(ram ? [ram] : [])]) removeReported(f, report, false);
  for (const t of trees) removeReported(t, report, true);
  // A run dir the VM did not make keeps everything else; only its record goes.
  if (fs.existsSync(dir)) {
    removeReported(path.join(dir, OWNER_RECORD_FILE), report, false);
    try {
      fs.rmdirSync(dir);
      report.removed.push(dir);
    } catch {
      // not empty: someone else's files stay
    }
  }
}

/** The process is this dir's VMM: its command line names a path in the dir (QEMU) or it runs in it (Firecracker). */
function isVmmOf(pid: number, dir: string): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (cmdline.some((arg) => arg.includes(`${dir}/`))) return true;
    return fs.readlinkSync(`/proc/${pid}/cwd`) === dir;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, start: number | undefined): Promise<void> {
  const deadline = performance.now() + KILL_WAIT_MS;
  while (performance.now() < deadline && processStartTime(pid) === start) await sleep(KILL_POLL_MS);
}

function removeReported(target: string, report: OrphanReport, tree: boolean): void {
  if (!fs.existsSync(target)) return;
  try {
    fs.rmSync(target, { recursive: tree, force: true });
    report.removed.push(target);
  } catch (err) {
    report.kept.push({ path: target, reason: `cannot remove: ${(err as Error).message}` });
  }
}

/** A template being made records its maker in the snapshot dir; a dir with such a record and no snapshot is half-made. */
function reapHalfMadeTemplate(dir: string, report: OrphanReport): void {
  if (!fs.existsSync(path.join(dir, OWNER_RECORD_FILE))) return;
  let record: OwnerRecord;
  try {
    record = readOwnerRecord(dir);
  } catch (err) {
    return void report.kept.push({ path: dir, reason: `unreadable owner record: ${(err as Error).message}` });
  }
  if (isAlive(record.ownerPid, record.ownerStart)) return void report.kept.push({ path: dir, reason: `template being made by pid ${record.ownerPid}` });
  if (path.resolve(record.runDir) !== dir) return void report.kept.push({ path: dir, reason: `owner record names another dir (${record.runDir})` });
  removeReported(dir, report, true);
}
