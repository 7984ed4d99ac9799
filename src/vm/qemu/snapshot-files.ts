import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { VmError } from "../../errors.js";
import type { Snapshot, VmSpec } from "../backend.js";
import type { QemuLaunchRecord } from "./qemu-vm.js";

/** Snapshot directory layout: `snapshot.json` (this record) and `state` (the migration stream). */
export const SNAPSHOT_META = "snapshot.json";
export const SNAPSHOT_STATE = "state";
const FORMAT = "firebreak-qemu-snapshot-v1";

/** snapshot.json: the public Snapshot plus what a restore needs to start an identical QEMU. */
export interface QemuSnapshotRecord extends Snapshot {
  format: typeof FORMAT;
  /** Guest RAM template on tmpfs; clones map it copy-on-write. Must never change. */
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
 * Reads a snapshot directory written by the QEMU backend and checks its files still exist
 * (the RAM template lives in /dev/shm and does not survive a host reboot).
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
    if (f && !existsSync(f)) throw new VmError(`snapshot ${record.id} is unusable: ${f} is gone (RAM templates in /dev/shm do not survive a reboot; create the snapshot again)`);
  }
  return record;
}

/** Removes a snapshot: its RAM template and its directory. */
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
