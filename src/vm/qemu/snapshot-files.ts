import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { VmError } from "../../errors.js";
import type { Snapshot, VmSpec } from "../backend.js";
import type { QemuLaunchRecord } from "./qemu-vm.js";
import { execFileAsync } from "../../exec/exec-file.js";

/** Snapshot directory layout: `snapshot.json` (this record), `state` (the migration stream), `ram` (guest RAM, sparse). */
export const SNAPSHOT_META = "snapshot.json";
export const SNAPSHOT_STATE = "state";
export const SNAPSHOT_RAM = "ram";
/** v1 kept the RAM template in /dev/shm (it grew as clones touched memory); v2 keeps it in the snapshot dir. */
export const SNAPSHOT_FORMAT = "firebreak-qemu-snapshot-v2";
const FORMAT = SNAPSHOT_FORMAT;

/** snapshot.json: the public Snapshot plus what a restore needs to start an identical QEMU. */
export interface QemuSnapshotRecord extends Snapshot {
  format: typeof FORMAT;
  /** Guest RAM template (`<dir>/ram`, on disk); clones map it copy-on-write. Must never change. */
  ramFile: string;
  stateFile: string;
  launch: QemuLaunchRecord;
}

export async function writeSnapshotRecord(
  dir: string,
  fields: Omit<QemuSnapshotRecord, "format" | "backend" | "dir" | "stateFile">,
): Promise<QemuSnapshotRecord> {
  const record: QemuSnapshotRecord = {
    ...fields,
    format: FORMAT,
    backend: "qemu",
    dir,
    stateFile: path.join(dir, SNAPSHOT_STATE),
  };
  await writeFile(path.join(dir, SNAPSHOT_META), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/**
 * Reads a snapshot directory written by the QEMU backend and checks its files still exist.
 */
export async function readSnapshotRecord(dir: string): Promise<QemuSnapshotRecord> {
  let record: QemuSnapshotRecord;
  try {
    record = JSON.parse(await readFile(path.join(dir, SNAPSHOT_META), "utf8")) as QemuSnapshotRecord;
  } catch (err) {
    throw new VmError(`not a QEMU snapshot: ${dir} (${(err as Error).message})`, { cause: err });
  }
  if (record.format !== FORMAT) throw new VmError(`snapshot ${dir} has format ${String(record.format)}, expected ${FORMAT}`);
  for (const f of [record.ramFile, record.stateFile, record.launch.kernelPath, record.launch.initrdPath]) {
    if (f && !existsSync(f)) throw new VmError(`snapshot ${record.id} is unusable: ${f} is gone (create the snapshot again)`);
  }
  return record;
}


/**
 * Copies a RAM file keeping it sparse: runs of zero blocks become holes (`cp --sparse=always`), so a 256 MiB guest
 * that used 27 MB takes 27 MB on disk.
 *
 * @example await copySparse("/dev/shm/firebreak-ab12.ram", "/state/snapshots/tpl-…/ram");
 */
export async function copySparse(from: string, to: string): Promise<void> {
  try {
    await execFileAsync("cp", ["--sparse=always", "--", from, to]);
  } catch (err) {
    await rm(to, { force: true });
    throw new VmError(`cannot copy guest RAM ${from} to ${to}: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`, { cause: err });
  }
}

/** Removes a snapshot: its RAM template (v1 kept it in /dev/shm) and its directory. */
export async function removeQemuSnapshot(dir: string): Promise<void> {
  const meta = await readFile(path.join(dir, SNAPSHOT_META), "utf8").then((s) => JSON.parse(s) as Partial<QemuSnapshotRecord>, () => undefined);
  if (meta?.ramFile) await rm(meta.ramFile, { force: true });
  await rm(dir, { recursive: true, force: true });
}

/** A restore must reproduce the snapshot's machine exactly; only runDir and extra words may differ. */
export function checkRestoreSpec(snapshot: VmSpec, requested: VmSpec): void {
  const differs: string[] = [];
  if (requested.memoryMb !== snapshot.memoryMb) differs.push(`memoryMb ${requested.memoryMb} != ${snapshot.memoryMb}`);
  if (requested.vcpus !== snapshot.vcpus) differs.push(`vcpus ${requested.vcpus} != ${snapshot.vcpus}`);
  if (requested.network !== snapshot.network) differs.push(`network ${requested.network} != ${snapshot.network}`);
  if (requested.diskMb !== snapshot.diskMb) differs.push(`diskMb ${requested.diskMb} != ${snapshot.diskMb}`);
  const allow = (s: VmSpec) => (s.networkAllow ?? []).join(" ");
  if (allow(requested) !== allow(snapshot)) differs.push(`network allowlist [${allow(requested)}] != [${allow(snapshot)}]`);
  if (differs.length) throw new VmError(`cannot restore: the requested VM differs from the snapshot's (${differs.join(", ")})`);
}
