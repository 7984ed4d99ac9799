import { randomBytes, randomInt } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import { AgentClosedError, AgentProtocolError, AgentTimeoutError } from "../../errors.js";
import { encodeFrame, FrameDecoder, HELLO_SYNC } from "./frame-codec.js";
import {
  type AgentHello,
  DEFAULT_FRAME_LIMITS,
  type ExecRequest,
  type ExecResult,
  type Frame,
  type FrameHeader,
  type FrameLimits,
  INPUT_CHUNK_BYTES,
  PROTOCOL_VERSION,
  RESEED_MAX_BYTES,
} from "./protocol.js";
import {
  type AgentClientOptions,
  type CallOptions,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type ExecOptions,
  type HelloOptions,
  type PutOptions,
  type ShutdownOptions,
} from "./client-options.js";
import { DataFrames, InputWindow, listingOf, num, type Pending, parseHello, remoteError, toBuffer } from "./client-support.js";
import type { WalkEntry } from "./walk-listing.js";
import { type ExecChannel, execOverChannel } from "./exec-call.js";


/**
 * Host side of the guest agent protocol over any byte stream (a virtio-serial Unix socket,
 * a Firecracker vsock connection, a socket pair in tests). Requests carry ids, so several
 * may run at once. When the stream closes, every pending call rejects with AgentClosedError.
 */
export class AgentClient {
  /** The agent's greeting on this connection, once seen. */
  greeting: AgentHello | undefined;
  /** Frames that matched no pending request. */
  strayFrames = 0;
  /** Resolves once the channel is closed, for whatever reason. */
  readonly closed: Promise<void>;

  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  /** What an exec request uses of this client (exec-call.ts). */
  private readonly execChannel: ExecChannel = {
    closedError: (message) => this.closedError(message),
    newId: () => this.newId(),
    pending: this.pending,
    kill: (target) => this.fireAndForget("kill", { target, signal: "KILL" }),
    write: (header, payload) => void this.write(header, payload),
    pumpInput: (id, data, offset, input) => this.pumpInput(id, data, offset, input),
  };
  private readonly requestTimeoutMs: number;
  private readonly limits: FrameLimits;
  private nextId: number;
  private closeReason: Error | undefined;
  private resolveClosed!: () => void;

  constructor(
    private readonly stream: Duplex,
    private readonly options: AgentClientOptions = {},
  ) {
    this.limits = options.limits ?? DEFAULT_FRAME_LIMITS;
    this.decoder = new FrameDecoder(this.limits, options.syncOnHello ? HELLO_SYNC : undefined);
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    // A random start keeps this connection's ids apart from stale frames of an earlier host.
    this.nextId = randomInt(1, 2 ** 31);
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    stream.on("data", (chunk: Buffer) => this.onData(chunk));
    stream.on("error", (err) => this.channelDown(err));
    stream.on("end", () => this.channelDown());
    stream.on("close", () => this.channelDown());
  }

  get isClosed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Closes the channel; pending calls reject with AgentClosedError. */
  close(): void {
    this.channelDown(new Error("closed by the host"));
    this.stream.destroy();
  }

  /**
   * Asks the agent who it is. With `reset`, this host takes over the channel: whatever an
   * earlier host left running is killed and output queued for it is dropped. Use it as the
   * first call on a virtio-serial connection (with `syncOnHello`), where the agent cannot
   * always notice that one host left and the next arrived.
   */
  async hello(opts: HelloOptions = {}): Promise<AgentHello> {
    const frame = await this.call("hello", opts.reset ? { reset: true } : {}, undefined, opts, ["hello"]);
    const hello = parseHello(frame.header);
    if (hello.protocol !== PROTOCOL_VERSION) {
      throw new AgentProtocolError(`agent speaks protocol ${hello.protocol}, this host ${PROTOCOL_VERSION}`);
    }
    return hello;
  }

  /** Round trip time in milliseconds. */
  async ping(opts: CallOptions = {}): Promise<number> {
    const start = performance.now();
    await this.call("ping", {}, undefined, opts, ["pong"]);
    return performance.now() - start;
  }

  async sync(opts: CallOptions = {}): Promise<void> {
    await this.call("sync", {}, undefined, opts, ["ok"]);
  }

  /** Sets the guest wall clock (a restored snapshot's clock is stale). */
  async setTime(epochMs: number = Date.now(), opts: CallOptions = {}): Promise<void> {
    await this.call("settime", { epoch_ms: Math.round(epochMs) }, undefined, opts, ["ok"]);
  }

  /** Mixes host entropy into the guest RNG (snapshot clones share RNG state). Returns whether it was credited. */
  async reseed(bytes: Uint8Array = randomBytes(64), opts: CallOptions = {}): Promise<boolean> {
    if (bytes.length === 0 || bytes.length > RESEED_MAX_BYTES) {
      throw new RangeError(`reseed takes 1..${RESEED_MAX_BYTES} bytes`);
    }
    const frame = await this.call("reseed", {}, toBuffer(bytes), opts, ["ok"]);
    return frame.header.credited === true;
  }

  /**
   * The agent syncs and stops the guest: by default with a reboot, on which QEMU
   * (-no-reboot) and Firecracker exit; "poweroff" needs ACPI in the guest. The channel
   * closes when the VMM exits.
   */
  async shutdown(opts: ShutdownOptions = {}): Promise<void> {
    await this.call("shutdown", opts.mode ? { mode: opts.mode } : {}, undefined, opts, ["ok"]);
  }

  /** Writes a file in the guest (atomically: temporary name, then rename); parent directories are created. */
  async putFile(path: string, data: Uint8Array | string, opts: PutOptions = {}): Promise<void> {
    const fields: Record<string, unknown> = { path };
    if (opts.mode !== undefined) fields.mode = opts.mode;
    await this.upload("put", fields, toBuffer(data), opts);
  }

  async getFile(path: string, opts: CallOptions = {}): Promise<Buffer> {
    return this.download("get", { path }, opts);
  }

  /**
   * Reads a guest file chunk by chunk into `onChunk` without holding it in memory (artifacts can be large).
   * Resolves with the byte count; `onChunk` must not throw (a failure there would tear down the channel).
   */
  async streamFile(path: string, onChunk: (chunk: Buffer) => void, opts: CallOptions = {}): Promise<number> {
    let received = 0;
    const frame = await this.call("get", { path }, undefined, opts, ["ok"], (f) => {
      if (f.header.type !== "data") throw new AgentProtocolError(`unexpected '${f.header.type}' for get`);
      received += f.payload.length;
      onChunk(f.payload);
    });
    const declared = frame.header.bytes;
    if (typeof declared === "number" && declared !== received) throw new AgentProtocolError(`get: agent declared ${declared} bytes, sent ${received}`);
    return received;
  }

  /** Extracts a tar archive (GNU format, as `packWorkspace` makes it) into a guest directory, created if missing. */
  async putTar(dir: string, tar: Uint8Array, opts: CallOptions = {}): Promise<void> {
    await this.upload("tar_put", { dir }, toBuffer(tar), opts);
  }

  /**
   * `putTar`, then the directory's `walk` listing in the same reply (one round trip less): the baseline a command's
   * changes are measured against.
   */
  async putTarListed(dir: string, tar: Uint8Array, opts: CallOptions = {}): Promise<WalkEntry[]> {
    const body = new DataFrames();
    const done = await this.upload("tar_put", { dir, list: true }, toBuffer(tar), opts, (payload) => body.add(payload));
    return listingOf(body.whole("tar_put", done), `tar_put listing of ${dir}`);
  }

  /** A tar archive of a guest directory (entries relative to it, `./...`). */
  async getTar(dir: string, opts: CallOptions = {}): Promise<Buffer> {
    return this.download("tar_get", { dir }, opts);
  }

  /** Every path under a guest directory with its lstat data (symlinks not followed, one file system). */
  async walk(dir: string, opts: CallOptions = {}): Promise<WalkEntry[]> {
    return listingOf(await this.download("walk", { dir }, opts), `walk ${dir}`);
  }

  /** Runs a command in the guest, streaming its output; resolves when it has exited. */
  exec(req: ExecRequest, opts: ExecOptions = {}): Promise<ExecResult> {
    return execOverChannel(this.execChannel, req, opts);
  }

  // ---- internals ----

  private newId(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= Number.MAX_SAFE_INTEGER ? 1 : this.nextId + 1;
    return id;
  }

  private closedError(message: string): AgentClosedError | undefined {
    if (!this.closeReason) return undefined;
    return new AgentClosedError(`${message}: ${this.closeReason.message}`, { cause: this.closeReason });
  }

  private write(header: FrameHeader, payload?: Uint8Array): boolean {
    return this.stream.write(encodeFrame(header, payload, this.limits));
  }

  /** Writes, then waits for the stream to drain if it asked us to. */
  private async writeAndDrain(header: FrameHeader, payload?: Uint8Array): Promise<void> {
    if (this.write(header, payload) || this.isClosed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("close", done);
        resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("close", done);
    });
  }

  /** Sends data[offset..] as data frames, keeping at most the window unacknowledged. */
  private async pumpInput(id: number, data: Buffer, offset: number, input: InputWindow): Promise<void> {
    while (offset < data.length && !input.stopped && !this.isClosed) {
      const end = Math.min(offset + INPUT_CHUNK_BYTES, data.length);
      await input.room(end - offset);
      if (input.stopped || this.isClosed) return;
      input.sent(end - offset);
      await this.writeAndDrain({ type: "data", id, eof: end === data.length }, data.subarray(offset, end));
      offset = end;
    }
  }

  /** A request whose reply nobody waits for (kill on abort/timeout); its reply is absorbed. */
  private fireAndForget(type: string, fields: Record<string, unknown>): void {
    if (this.isClosed) return;
    const id = this.newId();
    const timer = setTimeout(() => this.pending.delete(id), this.requestTimeoutMs);
    timer.unref();
    this.pending.set(id, {
      type,
      closedMessage: "",
      onFrame: () => {
        clearTimeout(timer);
        this.pending.delete(id);
      },
      fail: () => clearTimeout(timer),
    });
    try {
      this.write({ type, id, ...fields });
    } catch {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  /**
   * One request, one terminal reply among `expect` (or an error). `onProgress` sees other
   * frames; every frame for the request restarts the timeout, so long transfers that keep
   * moving never time out while a stuck one does.
   */
  private call(
    type: string,
    fields: Record<string, unknown>,
    payload: Buffer | undefined,
    opts: CallOptions,
    expect: string[],
    onProgress?: (frame: Frame) => void,
    afterSend?: (id: number, fail: (e: Error) => void) => void,
  ): Promise<Frame> {
    const closedErr = this.closedError(`agent channel closed before ${type}`);
    if (closedErr) return Promise.reject(closedErr);
    const id = this.newId();
    const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
    return new Promise<Frame>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(
          () => pending.fail(new AgentTimeoutError(`agent did not answer ${type} within ${timeoutMs} ms`)),
          timeoutMs,
        );
      };
      const settle = () => {
        if (timer) clearTimeout(timer);
        this.pending.delete(id);
      };
      const pending: Pending = {
        type,
        closedMessage: `agent channel closed while waiting for the ${type} reply`,
        onFrame: (frame) => {
          const t = frame.header.type;
          if (t === "error") {
            settle();
            reject(remoteError(frame, type));
          } else if (expect.includes(t)) {
            settle();
            resolve(frame);
          } else if (onProgress) {
            arm();
            onProgress(frame);
          } else {
            throw new AgentProtocolError(`unexpected '${t}' frame for ${type}`);
          }
        },
        fail: (e) => {
          settle();
          reject(e);
        },
      };
      this.pending.set(id, pending);
      arm();
      try {
        this.write({ type, id, ...fields }, payload);
      } catch (e) {
        pending.fail(e as Error);
        return;
      }
      afterSend?.(id, pending.fail);
    });
  }

  private async upload(type: string, fields: Record<string, unknown>, data: Buffer, opts: CallOptions, onData?: (payload: Buffer) => void): Promise<Frame> {
    const first = data.subarray(0, INPUT_CHUNK_BYTES);
    const more = data.length > first.length;
    const input = new InputWindow();
    try {
      return await this.call(
        type,
        more ? { ...fields, more: true } : fields,
        first,
        opts,
        ["ok"],
        (frame) => {
          if (frame.header.type === "data" && onData) return onData(frame.payload);
          if (frame.header.type !== "ack") throw new AgentProtocolError(`unexpected '${frame.header.type}' for ${type}`);
          input.ack(num(frame.header, "bytes"));
        },
        (id, fail) => {
          if (more) this.pumpInput(id, data, first.length, input).catch(fail);
        },
      );
    } finally {
      input.stop();
    }
  }

  private async download(type: string, fields: Record<string, unknown>, opts: CallOptions): Promise<Buffer> {
    const body = new DataFrames();
    const frame = await this.call(type, fields, undefined, opts, ["ok"], (f) => {
      if (f.header.type !== "data") throw new AgentProtocolError(`unexpected '${f.header.type}' for ${type}`);
      body.add(f.payload);
    });
    return body.whole(type, frame);
  }

  private onData(chunk: Buffer): void {
    if (this.isClosed) return;
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.protocolFailure(err as Error);
      return;
    }
    for (const frame of frames) {
      try {
        this.route(frame);
      } catch (err) {
        this.protocolFailure(err as Error);
        return;
      }
    }
  }

  private route(frame: Frame): void {
    const { id, type } = frame.header;
    if (id === 0 && type === "hello") {
      this.greeting = parseHello(frame.header);
      this.options.onGreeting?.(this.greeting);
      return;
    }
    const pending = this.pending.get(id);
    if (!pending) {
      this.strayFrames++;
      this.options.onStrayFrame?.(frame);
      return;
    }
    pending.onFrame(frame);
  }

  /** The stream is not speaking the protocol any more: fail closed, drop it. */
  private protocolFailure(err: Error): void {
    const protocolErr =
      err instanceof AgentProtocolError ? err : new AgentProtocolError(`agent protocol failure: ${err.message}`, { cause: err });
    this.failAll(() => protocolErr, protocolErr);
    this.stream.destroy();
  }

  private channelDown(cause?: Error): void {
    const reason = cause ?? new Error("the agent channel ended");
    this.failAll((p) => new AgentClosedError(`${p.closedMessage}: ${reason.message}`, { cause: reason }), reason);
  }

  private failAll(errorFor: (p: Pending) => Error, reason: Error): void {
    if (!this.closeReason) {
      this.closeReason = reason;
      this.resolveClosed();
    }
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.fail(errorFor(p));
  }
}
