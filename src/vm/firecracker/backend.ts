import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { VmError } from "../../errors.js";
import type { BackendAvailability, Snapshot, VmBackend, VmHandle, VmSpec } from "../backend.js";
import { agentHandshake } from "../agent/handshake.js";
import { FirecrackerApiClient } from "./api-client.js";
import { type BootPlan, type BootPlanSettings, DEFAULT_AGENT_VSOCK_PORT, VM_FILES, planBoot } from "./boot-plan.js";
import { type KvmVerdictProvider, findExecutable, firecrackerAvailability } from "./availability.js";
import { linkOrCopy, moveFile, pathExists } from "./files.js";
import { FirecrackerVm } from "./firecracker-vm.js";
import { type JailerOptions, type LaunchPlan, planLaunch } from "./launch-plan.js";
import { readSnapshotMeta, restoreRequest, writeSnapshotMeta } from "./snapshot-files.js";
import { currentOwner, OWNER_RECORD_FILE, processStartTime, writeOwnerRecord } from "../owner-record.js";
import { guardVmm } from "../vmm-guard.js";
import { UNIX_SOCKET_PATH_MAX_BYTES } from "./unix-http.js";
import { DEFAULT_API_READY_TIMEOUT_MS, VmProcess } from "./vm-process.js";

export const DEFAULT_AGENT_CONNECT_TIMEOUT_MS = 10_000;
/** A restored guest runs at once: hello, settime and reseed answer within this. */
export const RESTORE_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface FirecrackerBackendOptions {
  /** Binary path, or a name looked up on PATH; default "firecracker". */
  binary?: string;
  jailer?: JailerOptions;
  /** Host tap device for VMs that may use the network; none = such VMs get no NIC (reported as unenforced). */
  tapDevice?: string;
  guestMac?: string;
  guestIpv4?: BootPlanSettings["guestIpv4"];
  agentVsockPort?: number;
  guestCid?: number;
  apiTimeoutMs?: number;
  apiReadyTimeoutMs?: number;
  agentConnectTimeoutMs?: number;
  kvmDevicePath?: string;
  pvmModulePath?: string;
  kvmVerdict?: KvmVerdictProvider;
}

/**
 * Sends a boot plan to a fresh Firecracker process, in the order Firecracker needs, and starts the guest.
 *
 * @example
 *   await applyBootPlan(api, planBoot(spec, { kernelPath: "/img/vmlinux" }));
 */
export async function applyBootPlan(api: FirecrackerApiClient, plan: BootPlan): Promise<void> {
  await api.putMachineConfig(plan.machineConfig);
  await api.putBootSource(plan.bootSource);
  for (const drive of plan.drives) await api.putDrive(drive);
  for (const nic of plan.networkInterfaces) await api.putNetworkInterface(nic);
  await api.putVsock(plan.vsock);
  await api.instanceStart();
}

/**
 * The microVM backend on Firecracker: one `firecracker --api-sock` process per VM, configured over its API, agent
 * reached over vsock. Requires KVM; see `availability()`.
 *
 * @example
 *   const backend = new FirecrackerBackend({ binary: "/usr/local/bin/firecracker" });
 *   const vm = await backend.boot({ vcpus: 1, memoryMb: 256, network: false, kernelPath, initrdPath, runDir });
 *   const agent = await vm.connectAgent();
 *   await backend.destroy(vm);
 */
export class FirecrackerBackend implements VmBackend {
  readonly name = "firecracker";

  constructor(private readonly options: FirecrackerBackendOptions = {}) {}

  availability(): Promise<BackendAvailability> {
    const o = this.options;
    return firecrackerAvailability({
      ...(o.binary ? { binary: o.binary } : {}),
      ...(o.kvmDevicePath ? { kvmDevicePath: o.kvmDevicePath } : {}),
      ...(o.pvmModulePath ? { pvmModulePath: o.pvmModulePath } : {}),
      ...(o.kvmVerdict ? { kvmVerdict: o.kvmVerdict } : {}),
    });
  }

  async boot(spec: VmSpec): Promise<VmHandle> {
    const kernelPath = path.resolve(spec.kernelPath);
    const initrdPath = spec.initrdPath ? path.resolve(spec.initrdPath) : undefined;
    for (const file of [kernelPath, initrdPath]) {
      if (file && !(await pathExists(file))) throw new VmError(`guest image file not found: ${file}`);
    }
    const jailed = this.options.jailer !== undefined;
    // Inside a jail the kernel and initrd are linked into the jail root under fixed names.
    const plan = planBoot(spec, {
      ...this.planSettings(),
      kernelPath: jailed ? "vmlinux" : kernelPath,
      ...(initrdPath ? { initrdPath: jailed ? "initrd" : initrdPath } : {}),
    });

    const vm = await this.start(spec, plan.networkInterfaces.length > 0, plan.unenforced, async (launch) => {
      if (!jailed) return;
      await linkOrCopy(kernelPath, path.join(launch.vmRoot, "vmlinux"));
      if (initrdPath) await linkOrCopy(initrdPath, path.join(launch.vmRoot, "initrd"));
    });
    try {
      await applyBootPlan(vm.api, plan);
    } catch (err) {
      await vm.dispose();
      throw err;
    }
    return vm;
  }

  async snapshot(handle: VmHandle, dir: string): Promise<Snapshot> {
    const vm = this.own(handle);
    if (!vm.isRunning) throw new VmError(`cannot snapshot VM ${vm.id}: it is not running`);
    await fs.mkdir(dir, { recursive: true });
    const statePath = path.join(dir, VM_FILES.snapshotState);
    const memoryPath = path.join(dir, VM_FILES.snapshotMemory);
    const jailed = vm.launch.jailDir !== undefined;

    await vm.api.pause();
    let createError: unknown;
    try {
      // A jailed Firecracker only sees its jail: write there, then move the files out.
      await vm.api.createSnapshot({
        snapshot_type: "Full",
        snapshot_path: jailed ? VM_FILES.snapshotState : statePath,
        mem_file_path: jailed ? VM_FILES.snapshotMemory : memoryPath,
      });
    } catch (err) {
      createError = err;
    }
    try {
      await vm.api.resume();
    } catch (err) {
      // The snapshot's own failure is the more useful one to report.
      if (!createError) throw err;
    }
    if (createError) throw createError;
    if (jailed) {
      await moveFile(path.join(vm.launch.vmRoot, VM_FILES.snapshotState), statePath);
      await moveFile(path.join(vm.launch.vmRoot, VM_FILES.snapshotMemory), memoryPath);
    }
    const snapshot: Snapshot = {
      id: `fc-snap-${randomBytes(6).toString("hex")}`,
      backend: this.name,
      dir: path.resolve(dir),
      spec: vm.spec,
      createdAt: new Date().toISOString(),
    };
    await writeSnapshotMeta(snapshot, { hasNic: vm.hasNic, agentVsockPort: vm.agentVsockPort });
    return snapshot;
  }

  async restore(snapshot: Snapshot, spec: VmSpec): Promise<VmHandle> {
    if (snapshot.backend !== this.name) throw new VmError(`snapshot ${snapshot.id} is a ${snapshot.backend} snapshot, not firecracker`);
    const meta = await readSnapshotMeta(snapshot);
    const jailed = this.options.jailer !== undefined;
    const request = restoreRequest(snapshot, spec, meta, {
      ...(this.options.tapDevice ? { tapDevice: this.options.tapDevice } : {}),
      jailed,
    });

    const vm = await this.start(spec, meta.hasNic, request.unenforced, async (launch) => {
      if (!jailed) return;
      await linkOrCopy(path.join(snapshot.dir, VM_FILES.snapshotState), path.join(launch.vmRoot, VM_FILES.snapshotState));
      await linkOrCopy(path.join(snapshot.dir, VM_FILES.snapshotMemory), path.join(launch.vmRoot, VM_FILES.snapshotMemory));
    }, meta.agentVsockPort);
    try {
      await vm.api.loadSnapshot(request.body);
      vm.mark("restore");
      // Clones of one snapshot share its clock and RNG state: set the clock and reseed before anything runs
      // (the same handshake as a QEMU restore), and keep the proved connection for the first command.
      const socket = await vm.openAgentSocket();
      try {
        await raceExit(vm, agentHandshake(socket, { restored: true, timeoutMs: this.options.agentConnectTimeoutMs ?? RESTORE_HANDSHAKE_TIMEOUT_MS }));
      } catch (err) {
        socket.destroy();
        throw err;
      }
      vm.prime(socket);
    } catch (err) {
      await vm.dispose();
      throw err;
    }
    return vm;
  }

  async destroy(handle: VmHandle): Promise<void> {
    await this.own(handle).dispose();
  }

  private planSettings(): Omit<BootPlanSettings, "kernelPath"> {
    const o = this.options;
    return {
      ...(o.guestCid !== undefined ? { guestCid: o.guestCid } : {}),
      ...(o.tapDevice ? { tapDevice: o.tapDevice } : {}),
      ...(o.guestMac ? { guestMac: o.guestMac } : {}),
      ...(o.guestIpv4 ? { guestIpv4: o.guestIpv4 } : {}),
      ...(o.agentVsockPort !== undefined ? { agentVsockPort: o.agentVsockPort } : {}),
    };
  }

  /**
   * Spawns a fresh process for `spec` and waits for its API. `prepare` puts files into the VM root before the spawn.
   * On failure everything created so far is removed.
   */
  private async start(
    spec: VmSpec,
    hasNic: boolean,
    unenforced: VmHandle["unenforced"],
    prepare: (launch: LaunchPlan) => Promise<void>,
    agentVsockPort = this.options.agentVsockPort ?? DEFAULT_AGENT_VSOCK_PORT,
  ): Promise<FirecrackerVm> {
    const binary = this.options.binary ?? "firecracker";
    const firecrackerPath = await findExecutable(binary);
    if (!firecrackerPath) throw new VmError(`firecracker backend unavailable: no executable ${binary} (set the binary path or PATH)`);
    const jailerPath = this.options.jailer ? await findExecutable(this.options.jailer.binaryPath) : undefined;
    if (this.options.jailer && !jailerPath) throw new VmError(`jailer not found: ${this.options.jailer.binaryPath}`);

    const id = `fb-${randomBytes(6).toString("hex")}`;
    const launch = planLaunch({
      firecrackerPath,
      id,
      runDir: spec.runDir,
      ...(this.options.jailer ? { jailer: { ...this.options.jailer, binaryPath: jailerPath! } } : {}),
    });
    // The host connects to both sockets by path; a path over sun_path's limit could never be reached.
    for (const socketPath of [launch.apiSocketPath, launch.vsockSocketPath]) {
      if (Buffer.byteLength(socketPath) > UNIX_SOCKET_PATH_MAX_BYTES) {
        throw new VmError(`VM directory too deep: socket path ${socketPath} is longer than ${UNIX_SOCKET_PATH_MAX_BYTES} bytes`);
      }
    }
    const ownsRunDir = !(await pathExists(spec.runDir));
    await fs.mkdir(spec.runDir, { recursive: true });
    const cleanupEarly = async () => {
      if (launch.jailDir) await fs.rm(launch.jailDir, { recursive: true, force: true });
      if (ownsRunDir) {
        await fs.rm(spec.runDir, { recursive: true, force: true });
        return;
      }
      for (const file of ownFiles) await fs.rm(file, { force: true });
    };
    const ownFiles = [
      ...Object.values(VM_FILES).map((name) => path.join(launch.vmRoot, name)),
      path.join(spec.runDir, VM_FILES.consoleLog),
      path.join(spec.runDir, OWNER_RECORD_FILE),
    ];
    const owner = {
      ...currentOwner(),
      backend: "firecracker" as const,
      runDir: path.resolve(spec.runDir),
      trees: [...(ownsRunDir ? [path.resolve(spec.runDir)] : []), ...(launch.jailDir ? [launch.jailDir] : [])],
      files: ownFiles,
      createdAt: new Date().toISOString(),
    };

    let proc: VmProcess;
    const spawnedAt = performance.now();
    try {
      await fs.mkdir(launch.vmRoot, { recursive: true });
      // A stale socket from an earlier VM in the same directory makes Firecracker refuse to start.
      for (const name of [VM_FILES.apiSocket, VM_FILES.vsockSocket]) await fs.rm(path.join(launch.vmRoot, name), { force: true });
      await prepare(launch);
      // The jailed process runs as uid/gid and creates its sockets here. Linked files are not chowned: a hard
      // link shares its inode, so that would change the owner of the cached image itself; they must be world-readable.
      if (this.options.jailer) await fs.chown(launch.vmRoot, this.options.jailer.uid, this.options.jailer.gid);
      // Recorded before the spawn, so no VM exists without a record naming its owner (orphans.ts).
      writeOwnerRecord(owner);
      proc = await VmProcess.spawn(launch, path.join(spec.runDir, VM_FILES.consoleLog));
      if (proc.pid !== undefined) {
        writeOwnerRecord({ ...owner, vmmPid: proc.pid, vmmStart: processStartTime(proc.pid) });
        // The jailer drops privileges, which clears a parent-death signal: the guard also covers that case.
        proc.guard = guardVmm(proc.pid, { trees: owner.trees, files: ownFiles });
      }
    } catch (err) {
      await cleanupEarly();
      throw err;
    }

    const vm = new FirecrackerVm({
      id,
      spec,
      launch,
      process: proc,
      api: new FirecrackerApiClient({
        socketPath: launch.apiSocketPath,
        ...(this.options.apiTimeoutMs ? { requestTimeoutMs: this.options.apiTimeoutMs } : {}),
      }),
      spawnedAt,
      unenforced,
      agentVsockPort,
      agentConnectTimeoutMs: this.options.agentConnectTimeoutMs ?? DEFAULT_AGENT_CONNECT_TIMEOUT_MS,
      hasNic,
      ownsRunDir,
    });
    try {
      await proc.waitForApi(vm.api, this.options.apiReadyTimeoutMs ?? DEFAULT_API_READY_TIMEOUT_MS);
      vm.mark("vmmReady");
    } catch (err) {
      await vm.dispose();
      throw err;
    }
    return vm;
  }

  private own(handle: VmHandle): FirecrackerVm {
    if (!(handle instanceof FirecrackerVm)) throw new VmError(`VM ${handle.id} was not created by the firecracker backend`);
    return handle;
  }
}

/** Fails as soon as the VMM exits instead of waiting for the agent's timeout. */
async function raceExit<T>(vm: FirecrackerVm, work: Promise<T>): Promise<T> {
  const died = vm.exited.then(() => Promise.reject(vm.diedError("during the restore handshake")));
  died.catch(() => {});
  return Promise.race([work, died]);
}
