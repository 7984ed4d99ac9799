import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { VmError } from "../../errors.js";
import type { Snapshot, UnenforcedLimit, VmSpec } from "../backend.js";
import type { SnapshotLoadParams } from "./api-types.js";
import { GUEST_NIC_ID, VM_FILES } from "./boot-plan.js";

/** Next to the state and memory files: what a restore needs to know beyond the `Snapshot` record. */
export const SNAPSHOT_META_FILE = "firecracker-snapshot.json";

const snapshotMetaSchema = z.object({
  format: z.literal(1),
  id: z.string(),
  createdAt: z.string(),
  hasNic: z.boolean(),
  agentVsockPort: z.number().int().positive(),
  vcpus: z.number().int().positive(),
  memoryMb: z.number().int().positive(),
  /** The guest's writable tmpfs was sized at boot; absent = unsized. */
  diskMb: z.number().int().positive().optional(),
  /** The VmSpec the snapshotted VM was booted with: a template is restored from this record alone. */
  spec: z
    .object({
      vcpus: z.number().int().positive(),
      memoryMb: z.number().int().positive(),
      diskMb: z.number().int().positive().optional(),
      network: z.boolean(),
      networkAllow: z.array(z.string()).optional(),
      kernelPath: z.string(),
      initrdPath: z.string().optional(),
      extraCmdline: z.array(z.string()).optional(),
      runDir: z.string(),
    })
    .optional(),
});

export type SnapshotMeta = z.infer<typeof snapshotMetaSchema>;

export async function writeSnapshotMeta(
  snapshot: Snapshot,
  extra: { hasNic: boolean; agentVsockPort: number },
): Promise<void> {
  const meta: SnapshotMeta = {
    format: 1,
    id: snapshot.id,
    createdAt: snapshot.createdAt,
    vcpus: snapshot.spec.vcpus,
    memoryMb: snapshot.spec.memoryMb,
    ...(snapshot.spec.diskMb !== undefined ? { diskMb: snapshot.spec.diskMb } : {}),
    spec: snapshot.spec,
    ...extra,
  };
  await fs.writeFile(path.join(snapshot.dir, SNAPSHOT_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

/** Reads and checks the snapshot's metadata and that its state and memory files exist. */
export async function readSnapshotMeta(snapshot: Snapshot): Promise<SnapshotMeta> {
  const file = path.join(snapshot.dir, SNAPSHOT_META_FILE);
  let raw: string;
  try {
    raw = await fs.readFile(file, "utf8");
  } catch (err) {
    throw new VmError(`snapshot ${snapshot.id}: cannot read ${file}`, { cause: err });
  }
  let parsed: SnapshotMeta;
  try {
    parsed = snapshotMetaSchema.parse(JSON.parse(raw));
  } catch (err) {
    throw new VmError(`snapshot ${snapshot.id}: ${file} is not valid firecracker snapshot metadata`, { cause: err });
  }
  for (const name of [VM_FILES.snapshotState, VM_FILES.snapshotMemory]) {
    try {
      await fs.access(path.join(snapshot.dir, name));
    } catch (err) {
      throw new VmError(`snapshot ${snapshot.id}: ${name} is missing from ${snapshot.dir}`, { cause: err });
    }
  }
  return parsed;
}

/**
 * The Snapshot record of a Firecracker snapshot dir (a template made by VmRuntime), checked like a restore would.
 *
 * @example const snap = await readFirecrackerSnapshot("/state/snapshots/tpl-firecracker-256m-…");
 */
export async function readFirecrackerSnapshot(dir: string): Promise<Snapshot> {
  const probe: Snapshot = { id: path.basename(dir), backend: "firecracker", dir, spec: undefined as unknown as VmSpec, createdAt: "" };
  const meta = await readSnapshotMeta(probe);
  if (!meta.spec) throw new VmError(`snapshot ${meta.id}: ${path.join(dir, SNAPSHOT_META_FILE)} records no VM spec (made before templates; make it again)`);
  for (const file of [meta.spec.kernelPath, meta.spec.initrdPath]) {
    if (file) await fs.access(file).catch((err: unknown) => Promise.reject(new VmError(`snapshot ${meta.id} is unusable: ${file} is gone`, { cause: err })));
  }
  return { id: meta.id, backend: "firecracker", dir, spec: meta.spec, createdAt: meta.createdAt };
}

export interface RestoreRequest {
  body: SnapshotLoadParams;
  unenforced: UnenforcedLimit[];
}

/**
 * The PUT /snapshot/load body for restoring `snapshot` as a VM shaped like `spec`. A snapshot fixes vCPUs, memory, the
 * writable filesystem's size and devices: a spec asking for different sizes, or for no network from a snapshot that has a NIC, is refused (VmError)
 * rather than run looser than asked. The vsock socket is re-pointed to this VM's own directory; a NIC to the
 * configured tap device.
 *
 * @example
 *   restoreRequest(snap, spec, meta, { jailed: false }).body
 *   // -> { snapshot_path: "<dir>/vmstate.snap", mem_backend: { backend_type: "File", backend_path: "<dir>/memory.snap" },
 *   //      resume_vm: true, vsock_override: { uds_path: "vsock.sock" } }
 */
export function restoreRequest(
  snapshot: Snapshot,
  spec: VmSpec,
  meta: SnapshotMeta,
  options: { tapDevice?: string; jailed: boolean },
): RestoreRequest {
  if (spec.vcpus !== meta.vcpus || spec.memoryMb !== meta.memoryMb) {
    throw new VmError(
      `snapshot ${snapshot.id} has ${meta.vcpus} vCPUs and ${meta.memoryMb} MiB; cannot restore it as ${spec.vcpus} vCPUs and ${spec.memoryMb} MiB`,
    );
  }
  if (spec.diskMb !== meta.diskMb) {
    const size = (mb: number | undefined) => (mb === undefined ? "an unsized" : `a ${mb} MiB`);
    throw new VmError(`snapshot ${snapshot.id} has ${size(meta.diskMb)} writable filesystem; cannot restore it with ${size(spec.diskMb)} one`);
  }
  if (meta.hasNic && !spec.network) {
    throw new VmError(`snapshot ${snapshot.id} has a network interface; a VM without network access cannot be restored from it`);
  }
  const unenforced: UnenforcedLimit[] = [];
  const body: SnapshotLoadParams = {
    // A jailed process sees the files linked into its jail root; otherwise it reads them where they are.
    snapshot_path: options.jailed ? VM_FILES.snapshotState : path.join(snapshot.dir, VM_FILES.snapshotState),
    mem_backend: {
      backend_type: "File",
      backend_path: options.jailed ? VM_FILES.snapshotMemory : path.join(snapshot.dir, VM_FILES.snapshotMemory),
    },
    resume_vm: true,
    vsock_override: { uds_path: VM_FILES.vsockSocket },
  };
  if (meta.hasNic) {
    if (!options.tapDevice) throw new VmError(`snapshot ${snapshot.id} has a network interface but no tap device is configured`);
    body.network_overrides = [{ iface_id: GUEST_NIC_ID, host_dev_name: options.tapDevice }];
  } else if (spec.network) {
    unenforced.push({ limit: "network_access", reason: `snapshot ${snapshot.id} was taken without a NIC; the VM has no network` });
  }
  return { body, unenforced };
}
