import { type Socket, createConnection } from "node:net";
import type { Duplex } from "node:stream";
import { VmError } from "../../errors.js";
import type { PhaseTimings, UnenforcedLimit, VmHandle, VmSpec } from "../backend.js";
import type { QemuLaunch } from "./qemu-args.js";
import type { QemuExit, QemuProcess } from "./qemu-process.js";
import type { QmpClient } from "./qmp-client.js";

/** What a snapshot must remember to start an identical QEMU later. */
export type QemuLaunchRecord = Omit<QemuLaunch, "qmpSocket" | "agentSocket" | "ramFile" | "ramShared" | "incoming">;

/**
 * A running QEMU microVM: the process, its QMP session and the agent connections handed out.
 * Created by QemuBackend; `destroy` there ends it.
 */
export class QemuVm implements VmHandle {
  readonly backend = "qemu";
  readonly phases: PhaseTimings = { spawn: 0 };
  readonly unenforced: UnenforcedLimit[];
  readonly exited: Promise<QemuExit>;
  /** Set once a snapshot used this VM's RAM as its template: the VM must never run again. */
  frozenBySnapshot: string | undefined;
  private readonly agentSockets = new Set<Socket>();
  /** The connection opened during boot/restore, handed to the first connectAgent() call. */
  private primedAgent: Socket | undefined;
  private destroying: Promise<void> | undefined;

  constructor(
    readonly spec: VmSpec,
    readonly process: QemuProcess,
    readonly qmp: QmpClient,
    readonly launch: QemuLaunchRecord,
    unenforced: UnenforcedLimit[],
    /** Whether runDir was created by the backend (then destroy removes it). */
    readonly ownsRunDir: boolean,
  ) {
    this.unenforced = unenforced;
    this.exited = process.exited;
  }

  get id(): string {
    return this.process.id;
  }

  get pid(): number {
    return this.process.pid;
  }

  get consoleLog(): string {
    return this.process.consoleLog;
  }

  /**
   * Opens the byte stream to the guest agent. QEMU's socket serves one client at a time:
   * close a stream before opening the next. The first call returns the connection the
   * backend already proved during boot.
   */
  async connectAgent(): Promise<Duplex> {
    if (this.destroying) throw new VmError(`VM ${this.id} is destroyed`);
    if (this.process.hasExited()) throw new VmError(`VM ${this.id} has exited; its agent is gone`);
    if (this.frozenBySnapshot) throw new VmError(`VM ${this.id} is frozen: its RAM is snapshot ${this.frozenBySnapshot}`);
    const primed = this.primedAgent;
    if (primed && !primed.destroyed) {
      this.primedAgent = undefined;
      return primed;
    }
    return this.openAgentSocket();
  }

  /** Opens a new connection to the agent socket (used for priming and by connectAgent). */
  async openAgentSocket(): Promise<Socket> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection(this.process.agentSocket);
      s.once("connect", () => {
        s.removeAllListeners("error");
        resolve(s);
      });
      s.once("error", (err) => reject(new VmError(`cannot connect to the agent socket of VM ${this.id}: ${err.message}`, { cause: err })));
    });
    this.agentSockets.add(socket);
    socket.once("close", () => this.agentSockets.delete(socket));
    return socket;
  }

  hasOpenAgentSocket(): boolean {
    return [...this.agentSockets].some((s) => !s.destroyed);
  }

  prime(socket: Socket): void {
    this.primedAgent = socket;
  }

  /** Kills QEMU, closes every stream, removes sockets and files. Idempotent. */
  destroy(): Promise<void> {
    this.destroying ??= (async () => {
      this.qmp.close();
      for (const s of this.agentSockets) s.destroy();
      await this.process.kill();
    })();
    return this.destroying;
  }
}
