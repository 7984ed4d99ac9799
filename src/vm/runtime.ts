import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { lockFile } from "../file-lock.js";
import { VmError } from "../errors.js";
import type { BackendAvailability, Snapshot, VmBackend, VmSpec } from "./backend.js";
import type { VmConfig, VmTypeConfig } from "./config-schema.js";
import { FirecrackerBackend } from "./firecracker/backend.js";
import { findGuestImage, type GuestImage } from "./image/builder.js";
import { QemuBackend } from "./qemu/qemu-backend.js";
import { AgentClient } from "./agent/client.js";
import { readFirecrackerSnapshot } from "./firecracker/snapshot-files.js";
import { currentOwner, OWNER_RECORD_FILE, writeOwnerRecord } from "./owner-record.js";
import { readSnapshotRecord, removeQemuSnapshot } from "./qemu/snapshot-files.js";

/**
 * Part of every template's name: bumped when templates made before are not to be used any more
 * (2: QEMU template RAM moved from /dev/shm into the snapshot dir; Firecracker templates).
 */
export const TEMPLATE_LAYOUT = 2;

/** The shape of one VM before it has a run dir. */
export type VmShape = Pick<VmSpec, "vcpus" | "memoryMb" | "diskMb" | "network" | "networkAllow">;

export interface SelectedBackend {
  backend: VmBackend | undefined;
  /** Why this backend (or none) — shown by `vm doctor` and in refusals. */
  reasons: string[];
  availability?: BackendAvailability;
}

/**
 * The microVM runtime: picks a backend from `[vm]`, finds the guest image, and keeps one template
 * snapshot per VM shape so commands restore in ~100 ms instead of booting.
 *
 * @example
 * const rt = new VmRuntime(config.vm, stateDir);
 * const { backend } = await rt.select();
 */
export class VmRuntime {
  private selected: Promise<SelectedBackend> | undefined;

  /** Images and snapshots live here: `[vm] cache_dir`, else the state dir. */
  readonly stateDir: string;

  constructor(
    readonly config: VmConfig,
    stateDir: string,
  ) {
    this.stateDir = config.cache_dir ? path.resolve(config.cache_dir) : stateDir;
  }

  /** Chooses the backend once per process: `[vm] backend`, or in "auto" Firecracker where usable, else QEMU. */
  select(): Promise<SelectedBackend> {
    this.selected ??= this.choose();
    return this.selected;
  }

  private async choose(): Promise<SelectedBackend> {
    const want = this.config.backend;
    if (want === "none") return { backend: undefined, reasons: ["[vm] backend = \"none\" in the configuration"] };
    const reasons: string[] = [];
    const candidates: VmBackend[] = [];
    if (want === "auto" || want === "firecracker") {
      candidates.push(new FirecrackerBackend({ binary: this.config.firecracker_binary, tapDevice: this.config.firecracker_tap }));
    }
    if (want === "auto" || want === "qemu") {
      candidates.push(new QemuBackend({ qemuBinary: this.config.qemu_binary, stateDir: this.stateDir, accel: this.config.accel, bootTimeoutMs: this.config.boot_timeout_ms }));
    }
    for (const backend of candidates) {
      const availability = await backend.availability();
      if (availability.available) {
        const image = await this.image();
        if (!image) {
          reasons.push(`${backend.name}: available, but no guest image is built (run: firebreak vm image build)`);
          continue;
        }
        return { backend, availability, reasons: [...reasons, `${backend.name}: ${availability.reasons.join("; ")}`] };
      }
      reasons.push(`${backend.name}: ${availability.reasons.join("; ")}`);
    }
    return { backend: undefined, reasons };
  }

  private imagePromise: Promise<GuestImage | undefined> | undefined;

  /** The built guest image for the current inputs, or undefined. */
  image(): Promise<GuestImage | undefined> {
    this.imagePromise ??= findGuestImage({ stateDir: this.stateDir }).catch(() => undefined);
    return this.imagePromise;
  }

  /** The VM shape for a command: its limits over the role's vm_type over `[vm]` defaults. */
  shape(limits: { max_memory_mb?: number; max_disk_mb?: number; network_access?: boolean } | undefined, vmType?: VmTypeConfig): VmShape {
    const network = limits?.network_access ?? vmType?.network ?? false;
    const shape: VmShape = {
      vcpus: vmType?.vcpus ?? this.config.vcpus,
      memoryMb: limits?.max_memory_mb ?? vmType?.memory_mb ?? this.config.memory_mb,
      diskMb: limits?.max_disk_mb ?? vmType?.disk_mb ?? this.config.disk_mb,
      network,
    };
    // The allowlist is part of the shape: template snapshots are made (and restored) per allowlist.
    if (network && this.config.network_allow.length > 0) shape.networkAllow = [...this.config.network_allow];
    return shape;
  }

  /** A full spec for one VM, with its own run dir (short: Unix socket paths must stay under 108 bytes). */
  spec(shape: VmShape, image: GuestImage, backend: VmBackend): VmSpec {
    const runDir = fs.mkdtempSync(path.join("/tmp", "fbvm-"));
    fs.rmdirSync(runDir); // the backend creates (and so removes) it
    return { ...shape, kernelPath: backend.name === "firecracker" ? image.vmlinux : image.bzImage, initrdPath: image.initrd, runDir };
  }

  snapshotsDir(): string {
    return path.join(this.stateDir, "snapshots");
  }

  /** Name of the template snapshot for a shape on this image and backend. */
  templateName(backend: VmBackend, image: GuestImage, shape: VmShape): string {
    const key = createHash("sha256").update(JSON.stringify([TEMPLATE_LAYOUT, backend.name, image.key, shape])).digest("hex").slice(0, 16);
    return `tpl-${backend.name}-${shape.memoryMb}m-${shape.vcpus}c-${shape.diskMb ?? 0}d-${shape.network ? "net" : "nonet"}-${key}`;
  }

  /**
   * The template snapshot for a shape: read if usable, else made once (boot, snapshot, destroy)
   * under a lock so concurrent processes do not both make it.
   */
  async template(backend: VmBackend, image: GuestImage, shape: VmShape): Promise<{ snapshot: Snapshot; created: boolean }> {
    const dir = path.join(this.snapshotsDir(), this.templateName(backend, image, shape));
    const existing = await usableSnapshot(dir);
    if (existing) return { snapshot: existing, created: false };
    fs.mkdirSync(this.snapshotsDir(), { recursive: true });
    const release = await lockFile(this.snapshotsDir(), { lockfilePath: `${dir}.lock`, stale: 60_000, retries: { retries: 600, minTimeout: 50, maxTimeout: 200 } });
    try {
      const again = await usableSnapshot(dir);
      if (again) return { snapshot: again, created: false };
      await removeQemuSnapshot(dir).catch(() => {});
      fs.mkdirSync(dir, { recursive: true });
      // While it is being made the dir names its maker: if this process dies, reapOrphans removes the half-made dir.
      writeOwnerRecord({ ...currentOwner(), backend: backend.name, runDir: dir, trees: [dir], files: [], createdAt: new Date().toISOString() });
      try {
        const vm = await backend.boot(this.spec(shape, image, backend));
        try {
          // A template must hold a guest whose agent already answers (Firecracker's boot returns before the guest runs).
          if (vm.phases.agentReady === undefined) await proveAgent(vm);
          const snapshot = await backend.snapshot(vm, dir);
          fs.rmSync(path.join(dir, OWNER_RECORD_FILE), { force: true });
          return { snapshot, created: true };
        } finally {
          await backend.destroy(vm);
        }
      } catch (err) {
        await removeQemuSnapshot(dir).catch(() => {});
        throw err;
      }
    } finally {
      await release();
    }
  }

  /** Every template snapshot on disk, with whether it can still be restored. */
  async listSnapshots(): Promise<{ name: string; dir: string; usable: boolean; createdAt?: string; spec?: VmShape }[]> {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.snapshotsDir()).filter((n) => !n.endsWith(".lock"));
    } catch {
      return [];
    }
    const out = [];
    for (const name of names.sort()) {
      const dir = path.join(this.snapshotsDir(), name);
      const record = await usableSnapshot(dir);
      out.push({
        name,
        dir,
        usable: Boolean(record),
        createdAt: record?.createdAt,
        spec: record && { vcpus: record.spec.vcpus, memoryMb: record.spec.memoryMb, diskMb: record.spec.diskMb, network: record.spec.network },
      });
    }
    return out;
  }

  async removeSnapshot(name: string): Promise<void> {
    const dir = path.join(this.snapshotsDir(), path.basename(name));
    if (!fs.existsSync(dir)) throw new VmError(`no snapshot named '${name}' (see: firebreak vm snapshot list)`);
    await removeQemuSnapshot(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A template snapshot (QEMU or Firecracker) whose record reads in the current format and whose files all exist;
 * undefined when it cannot be restored.
 *
 * @example const snap = await usableSnapshot("/state/snapshots/tpl-qemu-256m-…");
 */
export async function usableSnapshot(dir: string): Promise<Snapshot | undefined> {
  if (fs.existsSync(path.join(dir, OWNER_RECORD_FILE))) return undefined; // still being made
  const qemu = await readSnapshotRecord(dir).catch(() => undefined);
  if (qemu) return qemu;
  return readFirecrackerSnapshot(dir).catch(() => undefined);
}

/** Waits until the guest agent answers hello (and closes that connection). */
async function proveAgent(vm: { connectAgent(): Promise<import("node:stream").Duplex> }): Promise<void> {
  const agent = new AgentClient(await vm.connectAgent());
  try {
    await agent.hello();
  } finally {
    agent.close();
  }
}
