import type { Socket } from "node:net";
import path from "node:path";
import type { Duplex } from "node:stream";
import { VmError } from "../../errors.js";
import type { PhaseTimings, UnenforcedLimit, VmHandle, VmSpec } from "../backend.js";
import type { FirecrackerApiClient } from "./api-client.js";
import { OWNER_RECORD_FILE } from "../owner-record.js";
import { VM_FILES } from "./boot-plan.js";
import { pathExists, removePath } from "./files.js";
import type { LaunchPlan } from "./launch-plan.js";
import type { ProcessExit, VmProcess } from "./vm-process.js";
import { connectVsockWithRetry } from "./vsock-connect.js";

/** Console lines that mark boot phases: the kernel banner and guest/image/init.sh's first marker. */
const KERNEL_START_LINE = /Linux version \d/;
const INIT_LINE = /FIREBREAK-INIT\b|Run \S+ as init process/;

export interface FirecrackerVmParts {
  id: string;
  spec: VmSpec;
  launch: LaunchPlan;
  process: VmProcess;
  api: FirecrackerApiClient;
  /** performance.now() just before the spawn; phases are measured from here. */
  spawnedAt: number;
  unenforced: UnenforcedLimit[];
  agentVsockPort: number;
  agentConnectTimeoutMs: number;
  /** Whether a guest NIC exists (recorded in snapshots: a restore cannot remove it). */
  hasNic: boolean;
  /** True when the backend created runDir and may remove it whole. */
  ownsRunDir: boolean;
}

/**
 * A running Firecracker microVM. Created by `FirecrackerBackend.boot`/`restore`; everything it created on the host is
 * removed by `dispose()`.
 */
export class FirecrackerVm implements VmHandle {
  readonly backend = "firecracker";
  readonly id: string;
  readonly spec: VmSpec;
  readonly phases: PhaseTimings = { spawn: 0 };
  readonly unenforced: UnenforcedLimit[];
  readonly consoleLog: string;
  readonly exited: Promise<ProcessExit>;
  readonly api: FirecrackerApiClient;
  readonly launch: LaunchPlan;
  readonly agentVsockPort: number;
  readonly hasNic: boolean;
  private readonly process: VmProcess;
  private readonly spawnedAt: number;
  private readonly agentConnectTimeoutMs: number;
  private readonly ownsRunDir: boolean;
  private disposing: Promise<void> | undefined;
  /** The connection proved by a restore's handshake, handed to the first connectAgent() call. */
  private primedAgent: Socket | undefined;

  constructor(parts: FirecrackerVmParts) {
    this.id = parts.id;
    this.spec = parts.spec;
    this.launch = parts.launch;
    this.process = parts.process;
    this.api = parts.api;
    this.spawnedAt = parts.spawnedAt;
    this.unenforced = parts.unenforced;
    this.agentVsockPort = parts.agentVsockPort;
    this.agentConnectTimeoutMs = parts.agentConnectTimeoutMs;
    this.hasNic = parts.hasNic;
    this.ownsRunDir = parts.ownsRunDir;
    this.consoleLog = parts.process.consoleLogPath;
    this.exited = parts.process.exited;
    parts.process.onConsoleLine((line) => {
      if (this.phases.kernelStart === undefined && KERNEL_START_LINE.test(line)) this.mark("kernelStart");
      if (this.phases.init === undefined && INIT_LINE.test(line)) this.mark("init");
    });
  }

  /** Records a phase as milliseconds since spawn (first observation wins). */
  mark(phase: Exclude<keyof PhaseTimings, "spawn">): void {
    if (this.phases[phase] === undefined) this.phases[phase] = Math.round((performance.now() - this.spawnedAt) * 10) / 10;
  }

  get isRunning(): boolean {
    return !this.process.hasExited && this.disposing === undefined;
  }

  /** An error saying the VMM died, with its status and console tail. */
  diedError(when: string): VmError {
    return this.process.diedError(when);
  }

  /**
   * Opens the agent's byte stream over vsock, retrying while the guest agent is not listening yet. Fails at once
   * when the VM process has exited.
   */
  async connectAgent(): Promise<Duplex> {
    if (this.disposing) throw new VmError(`VM ${this.id} is destroyed`);
    if (this.process.hasExited) throw this.diedError("before the agent connection");
    const primed = this.primedAgent;
    this.primedAgent = undefined;
    if (primed && !primed.destroyed) return primed;
    return this.openAgentSocket();
  }

  /** Keeps a proved agent connection for the next connectAgent() call. */
  prime(socket: Socket): void {
    this.primedAgent = socket;
  }

  /** A new vsock connection to the agent (retried while the guest does not listen yet); marks agentReady. */
  async openAgentSocket(): Promise<Socket> {
    if (this.process.hasExited) throw this.diedError("before the agent connection");
    const died = this.exited.then(() => {
      throw this.diedError("while connecting to the agent");
    });
    const connected = connectVsockWithRetry({
      udsPath: this.launch.vsockSocketPath,
      port: this.agentVsockPort,
      deadlineMs: this.agentConnectTimeoutMs,
    });
    died.catch(() => {}); // only observed through the race below
    const { socket } = await Promise.race([connected, died]);
    this.mark("agentReady");
    return socket;
  }

  /** Kills and reaps the process, then removes the VM's sockets and files. Idempotent. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      this.primedAgent?.destroy();
      await this.process.kill();
      if (this.launch.jailDir) await removePath(this.launch.jailDir);
      if (this.ownsRunDir) {
        await removePath(this.spec.runDir);
      } else {
        const files = Object.values(VM_FILES).map((name) => path.join(this.launch.vmRoot, name));
        for (const file of [...files, this.consoleLog, path.join(this.spec.runDir, OWNER_RECORD_FILE)]) {
          if (await pathExists(file)) await removePath(file);
        }
      }
    })();
    return this.disposing;
  }
}
