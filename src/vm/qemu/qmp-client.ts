import { EventEmitter } from "node:events";
import { type Socket, createConnection } from "node:net";
import { QmpError } from "../../errors.js";

/** An asynchronous QMP event (`{"event": ..., "data": ..., "timestamp": ...}`). */
export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** How long to wait for QEMU's greeting after the socket connects. */
export const QMP_GREETING_TIMEOUT_MS = 10_000;

/**
 * A QMP client on QEMU's monitor Unix socket: reads the greeting, negotiates
 * `qmp_capabilities`, then runs commands tagged with ids and emits events.
 *
 * @example
 * const qmp = await QmpClient.connect("/run/fb/vm1/qmp.sock");
 * await qmp.execute("stop");
 * const status = await qmp.execute<{ status: string }>("query-status");
 * qmp.close();
 */
export class QmpClient {
  readonly events = new EventEmitter<{ event: [QmpEvent]; close: [] }>();
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private buffered = "";
  private closedError: Error | undefined;
  private greeted: { resolve: () => void; reject: (e: Error) => void } | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("error", (err) => this.fail(new QmpError(`QMP socket error: ${err.message}`, undefined, undefined, { cause: err })));
    socket.on("close", () => this.fail(new QmpError("QMP connection closed (QEMU exited?)")));
  }

  /** Connects, waits for the greeting and enters command mode. */
  static async connect(socketPath: string, greetingTimeoutMs = QMP_GREETING_TIMEOUT_MS): Promise<QmpClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection(socketPath);
      s.once("connect", () => {
        s.removeAllListeners("error");
        resolve(s);
      });
      s.once("error", (err) => reject(new QmpError(`cannot connect to QMP at ${socketPath}: ${err.message}`, undefined, undefined, { cause: err })));
    });
    const client = new QmpClient(socket);
    try {
      await client.waitForGreeting(greetingTimeoutMs);
      await client.execute("qmp_capabilities");
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  /** Runs one command; resolves with its `return` value, rejects with QmpError on `error`. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = `fb-${this.nextId++}`;
    const message = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** Resolves with the first event named `name` (and matching `filter`) that arrives after this call. */
  waitForEvent(name: string, timeoutMs: number, filter: (e: QmpEvent) => boolean = () => true): Promise<QmpEvent> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<QmpEvent>((resolve, reject) => {
      const onEvent = (e: QmpEvent) => {
        if (e.event !== name || !filter(e)) return;
        cleanup();
        resolve(e);
      };
      const onClose = () => {
        cleanup();
        reject(this.closedError ?? new QmpError(`QMP closed while waiting for ${name}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new QmpError(`timed out after ${timeoutMs} ms waiting for QMP event ${name}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off("event", onEvent);
        this.events.off("close", onClose);
      };
      this.events.on("event", onEvent);
      this.events.on("close", onClose);
    });
  }

  close(): void {
    this.fail(new QmpError("QMP client closed"));
    this.socket.destroy();
  }

  private waitForGreeting(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new QmpError(`no QMP greeting within ${timeoutMs} ms`)), timeoutMs);
      this.greeted = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let newline = this.buffered.indexOf("\n");
    while (newline >= 0) {
      const line = this.buffered.slice(0, newline).trim();
      this.buffered = this.buffered.slice(newline + 1);
      if (line) this.onMessage(line);
      newline = this.buffered.indexOf("\n");
    }
  }

  private onMessage(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      this.fail(new QmpError(`QMP sent something that is not JSON: ${line.slice(0, 200)}`, undefined, undefined, { cause: err }));
      this.socket.destroy();
      return;
    }
    if ("QMP" in msg) {
      this.greeted?.resolve();
      this.greeted = undefined;
      return;
    }
    if (typeof msg.event === "string") {
      this.events.emit("event", msg as unknown as QmpEvent);
      return;
    }
    const id = typeof msg.id === "string" ? msg.id : undefined;
    const pending = id ? this.pending.get(id) : undefined;
    if (!id || !pending) return; // a reply to nobody: ignore, QEMU never sends these for our ids
    this.pending.delete(id);
    if ("error" in msg) {
      const error = msg.error as { class?: string; desc?: string };
      pending.reject(new QmpError(`QMP ${pending.command} failed: ${error.desc ?? "unknown error"}`, error.class, pending.command));
    } else {
      pending.resolve(msg.return);
    }
  }

  private fail(error: Error): void {
    if (this.closedError) return;
    this.closedError = error;
    this.greeted?.reject(error);
    this.greeted = undefined;
    for (const p of this.pending.values()) p.reject(new QmpError(`QMP ${p.command}: ${error.message}`, undefined, p.command, { cause: error }));
    this.pending.clear();
    this.events.emit("close");
  }
}
