import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm, rmdir } from "node:fs/promises";
import type { Socket } from "node:net";
import path from "node:path";
import { resolvePaths } from "../../paths.js";
import { findGuestImage } from "../image/builder.js";
import { VmError } from "../../errors.js";
import type { BackendAvailability, Snapshot, UnenforcedLimit, VmBackend, VmHandle, VmSpec } from "../backend.js";
import { agentHandshake } from "../agent/handshake.js";
import { hostTscKhz } from "./host-tsc.js";
import { type KvmVerdict, probeKvm } from "./kvm-probe.js";
import { buildCmdline } from "./qemu-args.js";
import { type QemuProcess, spawnQemu } from "./qemu-process.js";
import { type QemuLaunchRecord, QemuVm } from "./qemu-vm.js";
import { checkRestoreSpec, copySparse, readSnapshotRecord, SNAPSHOT_RAM, SNAPSHOT_STATE, writeSnapshotRecord } from "./snapshot-files.js";
import { migrateIncoming, migrateToFile, setMigrationCapabilities } from "./migration.js";
import { execFileAsync } from "../../exec/exec-file.js";


export const DEFAULT_QEMU_BINARY = "qemu-system-x86_64";
/** Cold boot to agent-ready; ~1 s is normal under TCG, the rest is headroom for a loaded host. */
export const BOOT_TIMEOUT_MS = 30_000;
export const RESTORE_TIMEOUT_MS = 15_000;
export const QMP_READY_TIMEOUT_MS = 10_000;
/** The guest kernel is built with NR_CPUS=8. */
export const MAX_VCPUS = 8;
export const MIN_MEMORY_MB = 32;
const SNAPSHOT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** A QEMU waiting to load a snapshot (see QemuBackend.prepareRestore). */
export interface PreparedRestore {
  readonly snapshotId: string;
  /** Loads the snapshot, resumes the guest, proves the agent; resolves with the running VM. */
  complete(): Promise<VmHandle>;
  /** Ends the waiting QEMU and removes its files. */
  cancel(): Promise<void>;
}

export interface QemuBackendOptions {
  qemuBinary?: string;
  /** Where the KVM verdict is cached; default `$XDG_STATE_HOME/firebreak`. */
  stateDir?: string;
  /** "auto" (default) uses KVM only after a probe boot proved it. */
  accel?: "auto" | "kvm" | "tcg";
  bootTimeoutMs?: number;
  restoreTimeoutMs?: number;
}

/**
 * The QEMU `-M microvm` backend: TCG unless a probe boot proved KVM,
 * console to a per-VM log, agent on a virtio-serial port bound to `<runDir>/agent.sock`,
 * guest RAM in a /dev/shm file so a snapshot is a ~10 ms migration of device state plus a
 * sparse copy of the RAM into the snapshot dir, and a restore maps that copy copy-on-write.
 *
 * @example
 * const qemu = new QemuBackend();
 * const vm = await qemu.boot({ vcpus: 1, memoryMb: 256, network: false, kernelPath, initrdPath, runDir: "/tmp/fb-a" });
 * const agent = await vm.connectAgent();
 * await qemu.destroy(vm);
 */
export class QemuBackend implements VmBackend {
  readonly name = "qemu";
  private readonly qemuBinary: string;
  private readonly stateDir: string;
  private kvmVerdict: Promise<KvmVerdict> | undefined;

  constructor(private readonly opts: QemuBackendOptions = {}) {
    this.qemuBinary = opts.qemuBinary ?? DEFAULT_QEMU_BINARY;
    this.stateDir = opts.stateDir ?? resolvePaths().stateDir;
  }

  /** For `vm doctor`: QEMU version, TSC source, and the KVM verdict with its reason (probing once if needed). */
  async availability(): Promise<BackendAvailability> {
    const version = await execFileAsync(this.qemuBinary, ["--version"]).then(
      (r) => r.stdout.split("\n")[0]?.trim() ?? "",
      (err: Error) => new VmError(`${this.qemuBinary} not runnable: ${err.message} (apt-get install qemu-system-x86)`),
    );
    if (version instanceof VmError) return { available: false, reasons: [version.message] };
    const reasons = [version];
    const tsc = await hostTscKhz();
    reasons.push(tsc ? `host TSC ${tsc.khz} kHz (from ${tsc.source}) passed as tsc_early_khz under TCG` : "host TSC frequency unknown: TCG boots may hang in TSC calibration");
    if (this.opts.accel === "kvm" || this.opts.accel === "tcg") {
      reasons.push(`accel forced to ${this.opts.accel} by configuration`);
      return { available: true, reasons, accel: this.opts.accel };
    }
    const image = await findGuestImage({ stateDir: this.stateDir });
    const verdict = await this.kvmVerdictFor(image?.bzImage, image?.initrd);
    if (verdict) reasons.push(`KVM ${verdict.usable ? "usable" : "not used"}: ${verdict.reason}`);
    else reasons.push("KVM not probed yet (needs the guest image): TCG until a probe boot proves KVM");
    return { available: true, reasons, accel: verdict?.usable ? "kvm" : "tcg" };
  }

  /** Probes KVM once per backend (cached on disk) with the given guest image; undefined when it cannot be probed. */
  async kvmVerdictFor(kernelPath?: string, initrdPath?: string): Promise<KvmVerdict | undefined> {
    if (!this.kvmVerdict) {
      if (!kernelPath) {
        if (!existsSync("/dev/kvm")) return { usable: false, reason: "no /dev/kvm", key: "", probedAt: "" };
        return undefined;
      }
      this.kvmVerdict = probeKvm({ stateDir: this.stateDir, qemuBinary: this.qemuBinary, kernelPath, initrdPath });
    }
    return this.kvmVerdict;
  }

  private async accelFor(kernelPath: string, initrdPath?: string): Promise<"kvm" | "tcg"> {
    if (this.opts.accel === "kvm" || this.opts.accel === "tcg") return this.opts.accel;
    const verdict = await this.kvmVerdictFor(kernelPath, initrdPath);
    return verdict?.usable ? "kvm" : "tcg";
  }

  async boot(spec: VmSpec): Promise<VmHandle> {
    validateSpec(spec);
    const accel = await this.accelFor(spec.kernelPath, spec.initrdPath);
    const tsc = await hostTscKhz();
    const launch: QemuLaunchRecord = {
      binary: this.qemuBinary,
      accel,
      memoryMb: spec.memoryMb,
      vcpus: spec.vcpus,
      network: spec.network,
      networkAllow: spec.networkAllow,
      kernelPath: spec.kernelPath,
      initrdPath: spec.initrdPath,
      cmdline: buildCmdline({ accel, tscKhz: tsc?.khz, diskMb: spec.diskMb, extra: spec.extraCmdline }),
    };
    const ownsRunDir = await makeRunDir(spec.runDir);
    let proc: QemuProcess | undefined;
    let vm: QemuVm | undefined;
    try {
      proc = await spawnQemu({ runDir: spec.runDir, ownsRunDir, launch: { ...launch, ramShared: true, incoming: false } });
      const qmp = await proc.connectQmp(QMP_READY_TIMEOUT_MS);
      vm = new QemuVm(spec, proc, qmp, launch, unenforcedLimits(spec), ownsRunDir);
      vm.phases.vmmReady = since(proc);
      await this.waitForAgentStart(vm, this.opts.bootTimeoutMs ?? BOOT_TIMEOUT_MS);
      const seen = proc.console.seen;
      vm.phases.kernelStart = seen.kernelBanner ?? (seen.init !== undefined && seen.initUptimeS !== undefined ? Math.max(0, Math.round(seen.init - seen.initUptimeS * 1000)) : seen.firstOutput);
      vm.phases.init = seen.init;
      await this.primeAgent(vm, this.opts.bootTimeoutMs ?? BOOT_TIMEOUT_MS);
      return vm;
    } catch (err) {
      const detail = proc ? failureDetail(proc) : "";
      if (vm) await vm.destroy();
      else await proc?.kill();
      if (ownsRunDir) await rmdir(spec.runDir).catch(() => {});
      throw new VmError(`QEMU boot failed: ${(err as Error).message}${detail}`, { cause: err });
    }
  }

  /**
   * Freezes the VM and saves it: device state migrated to `<dir>/state`, guest RAM copied
   * sparsely to `<dir>/ram`. The template RAM must not live on tmpfs: clones map it
   * MAP_PRIVATE, and on tmpfs every page a clone faults in (read or write) is allocated in the
   * shared file itself, so a 27 MB template grew to the full guest size; on a disk
   * filesystem the file keeps its size. The VM stays paused for good: destroy it. Take
   * snapshots while no command runs in the guest.
   */
  async snapshot(handle: VmHandle, dir: string): Promise<Snapshot> {
    const vm = this.own(handle);
    if (vm.frozenBySnapshot) throw new VmError(`VM ${vm.id} was already snapshotted (${vm.frozenBySnapshot})`);
    if (vm.process.hasExited()) throw new VmError(`VM ${vm.id} has exited; nothing to snapshot`);
    const id = randomBytes(6).toString("hex");
    await mkdir(dir, { recursive: true });
    const ramTemplate = path.join(dir, SNAPSHOT_RAM);
    try {
      // Save the guest with a host attached to its agent port: a restore connects before the
      // guest runs, so the agent never sees a disconnect (no reconnect polling after restore).
      if (!vm.hasOpenAgentSocket()) await this.handshake(vm, await vm.openAgentSocket(), SNAPSHOT_HANDSHAKE_TIMEOUT_MS);
      await migrateToFile(vm.qmp, path.join(dir, SNAPSHOT_STATE));
      vm.frozenBySnapshot = id;
      await copySparse(vm.process.ramFile, ramTemplate);
      return await writeSnapshotRecord(dir, {
        id,
        spec: vm.spec,
        createdAt: new Date().toISOString(),
        ramFile: ramTemplate,
        launch: vm.launch,
      });
    } catch (err) {
      await rm(ramTemplate, { force: true });
      throw new VmError(`snapshot of VM ${vm.id} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async restore(snapshot: Snapshot, spec: VmSpec): Promise<VmHandle> {
    const prepared = await this.prepareRestore(snapshot, spec);
    return prepared.complete();
  }

  /**
   * The first half of a restore: QEMU started with the snapshot's arguments, its RAM template
   * mapped, QMP and the agent socket connected, waiting (`-incoming defer`) to load the
   * device state. A pool can keep these ready; `complete()` then costs only the load, resume
   * and agent handshake. `cancel()` (or destroying the VM) ends it.
   *
   * @example
   * const ready = await qemu.prepareRestore(snapshot, spec); // ahead of demand
   * const vm = await ready.complete();                       // on demand
   */
  async prepareRestore(snapshot: Snapshot, spec: VmSpec): Promise<PreparedRestore> {
    const record = await readSnapshotRecord(snapshot.dir);
    checkRestoreSpec(record.spec, spec);
    const ownsRunDir = await makeRunDir(spec.runDir);
    let proc: QemuProcess | undefined;
    let vm: QemuVm | undefined;
    const timeoutMs = this.opts.restoreTimeoutMs ?? RESTORE_TIMEOUT_MS;
    const fail = async (err: unknown): Promise<never> => {
      const detail = proc ? failureDetail(proc) : "";
      if (vm) await vm.destroy();
      else await proc?.kill();
      if (ownsRunDir) await rmdir(spec.runDir).catch(() => {});
      throw new VmError(`QEMU restore of snapshot ${record.id} failed: ${(err as Error).message}${detail}`, { cause: err });
    };
    let agentSocket: Socket;
    try {
      proc = await spawnQemu({ runDir: spec.runDir, ownsRunDir, niceness: spec.niceness, launch: { ...record.launch, ramFile: record.ramFile, ramShared: false, incoming: true } });
      const qmp = await proc.connectQmp(QMP_READY_TIMEOUT_MS);
      vm = new QemuVm({ ...record.spec, runDir: spec.runDir }, proc, qmp, record.launch, unenforcedLimits(spec), ownsRunDir);
      vm.phases.vmmReady = since(proc);
      // Connect before the guest runs: the port then never looks disconnected to the agent.
      agentSocket = await vm.openAgentSocket();
      await setMigrationCapabilities(qmp);
    } catch (err) {
      return fail(err);
    }
    const ready = vm;
    let used = false;
    return {
      snapshotId: record.id,
      complete: async () => {
        if (used) throw new VmError("a prepared restore completes once");
        used = true;
        try {
          await migrateIncoming(ready.qmp, record.stateFile, timeoutMs);
          ready.phases.restore = since(ready.process);
          await this.handshake(ready, agentSocket, timeoutMs, true);
          return ready;
        } catch (err) {
          return fail(err);
        }
      },
      cancel: async () => {
        used = true;
        await this.destroy(ready);
      },
    };
  }

  async destroy(handle: VmHandle): Promise<void> {
    const vm = this.own(handle);
    await vm.destroy();
    if (vm.ownsRunDir) await rmdir(vm.spec.runDir).catch(() => {});
  }

  private own(handle: VmHandle): QemuVm {
    if (!(handle instanceof QemuVm)) throw new VmError(`VM ${handle.id} does not belong to the QEMU backend`);
    return handle;
  }

  private async waitForAgentStart(vm: QemuVm, timeoutMs: number): Promise<void> {
    const c = vm.process.console;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      c.when("agentStart").then(() => "ready" as const),
      c.when("guestError").then(() => "guest-error" as const),
      vm.exited.then(() => "exited" as const),
      new Promise<"timeout">((r) => {
        timer = setTimeout(() => r("timeout"), Math.max(0, timeoutMs - since(vm.process)));
      }),
    ]);
    clearTimeout(timer);
    if (outcome === "guest-error") throw new VmError(`guest init failed: ${c.seen.guestError}`);
    if (outcome === "exited") throw new VmError("QEMU exited during boot");
    if (outcome === "timeout") throw new VmError(`the guest did not start its agent within ${timeoutMs} ms`);
  }

  private async primeAgent(vm: QemuVm, timeoutMs: number): Promise<void> {
    const socket = await vm.openAgentSocket();
    await this.handshake(vm, socket, timeoutMs);
  }

  /** Agent-ready = the agent answered hello on `socket` (plus settime/reseed after a restore). */
  private async handshake(vm: QemuVm, socket: Socket, timeoutMs: number, restored = false): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const exitedFirst = vm.exited.then(() => Promise.reject(new VmError("QEMU exited before the agent answered")));
    exitedFirst.catch(() => {}); // only matters while racing below
    try {
      await Promise.race([
        agentHandshake(socket, { restored, timeoutMs }),
        exitedFirst,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new VmError(`the agent did not answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    vm.phases.agentReady ??= since(vm.process);
    vm.prime(socket);
  }
}

function since(proc: QemuProcess): number {
  return Math.round(performance.now() - proc.t0);
}

function failureDetail(proc: QemuProcess): string {
  const stderr = proc.stderrTail().trim();
  const console = proc.console.tail().trim().split("\n").slice(-10).join("\n");
  return `${stderr ? `\nQEMU stderr:\n${stderr}` : ""}${console ? `\nguest console (last lines):\n${console}` : ""}`;
}

async function makeRunDir(runDir: string): Promise<boolean> {
  if (existsSync(runDir)) return false;
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  return true;
}

function validateSpec(spec: VmSpec): void {
  const bad: string[] = [];
  if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1 || spec.vcpus > MAX_VCPUS) bad.push(`vcpus must be 1..${MAX_VCPUS}, got ${spec.vcpus}`);
  if (!Number.isInteger(spec.memoryMb) || spec.memoryMb < MIN_MEMORY_MB) bad.push(`memoryMb must be an integer >= ${MIN_MEMORY_MB}, got ${spec.memoryMb}`);
  if (spec.diskMb !== undefined && (!Number.isInteger(spec.diskMb) || spec.diskMb < 1)) bad.push(`diskMb must be a positive integer, got ${spec.diskMb}`);
  if (!existsSync(spec.kernelPath)) bad.push(`kernel not found: ${spec.kernelPath} (firebreak vm image build)`);
  if (spec.initrdPath && !existsSync(spec.initrdPath)) bad.push(`initramfs not found: ${spec.initrdPath} (firebreak vm image build)`);
  if (bad.length) throw new VmError(`invalid VM spec: ${bad.join("; ")}`);
}

/** Every VmSpec limit is enforced by this backend; what is only partly enforced is said here. */
export function unenforcedLimits(spec: VmSpec): UnenforcedLimit[] {
  const out: UnenforcedLimit[] = [];
  if (spec.diskMb !== undefined && spec.diskMb >= spec.memoryMb) {
    out.push({
      limit: "diskMb",
      reason: `the writable filesystem is tmpfs in guest RAM: the guest runs out of memory (${spec.memoryMb} MB) before it reaches ${spec.diskMb} MB`,
    });
  }
  return out;
}
