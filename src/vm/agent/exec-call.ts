/**
 * One exec request on the host side of the agent protocol: its frames (started, ack, output, exit, error), the
 * stdin window, the timeout and the abort, over the channel the AgentClient gives it.
 */
import { AgentProtocolError, AgentTimeoutError } from "../../errors.js";
import { type ExecRequest, type ExecResult, execHeader, type FrameHeader, INPUT_CHUNK_BYTES } from "./protocol.js";
import { EXEC_REPLY_GRACE_MS, DEFAULT_MAX_COLLECT_BYTES, type ExecOptions } from "./client-options.js";
import { InputWindow, num, type Pending, remoteError, toBuffer } from "./client-support.js";
import { ExecOutput } from "./exec-output.js";

/** What an exec needs of the agent client's channel. */
export interface ExecChannel {
  /** Why the channel cannot take a request (it closed), as an error with this message; else undefined. */
  closedError(message: string): Error | undefined;
  newId(): number;
  /** Requests waiting for frames, by id: the exec registers itself here and removes itself when it ends. */
  readonly pending: Map<number, Pending>;
  /** Asks the agent to kill a running request's process (reply not awaited). */
  kill(target: number): void;
  write(header: FrameHeader, payload?: Uint8Array): void;
  /** Sends data[offset..] as data frames within the input window. */
  pumpInput(id: number, data: Buffer, offset: number, input: InputWindow): Promise<void>;
}

/** Runs a command in the guest, streaming its output; resolves when it has exited. */
export function execOverChannel(channel: ExecChannel, req: ExecRequest, opts: ExecOptions = {}): Promise<ExecResult> {
  if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
  const closedErr = channel.closedError("agent channel closed before the command started");
  if (closedErr) return Promise.reject(closedErr);
  const id = channel.newId();
  const stdin = req.stdin === undefined ? undefined : toBuffer(req.stdin);
  const first = stdin ? stdin.subarray(0, INPUT_CHUNK_BYTES) : undefined;
  const header: FrameHeader = { type: "exec", id, ...execHeader(req) };
  if (stdin && stdin.length > first!.length) header.more = true;
  const maxCollect =
    opts.collect === undefined || opts.collect === false
      ? 0
      : opts.collect === true
        ? DEFAULT_MAX_COLLECT_BYTES
        : opts.collect.maxBytes;
  const what = req.script !== undefined ? "script" : `'${req.argv?.[0] ?? "?"}'`;

  return new Promise<ExecResult>((resolve, reject) => {
    const output = new ExecOutput(maxCollect, opts.onStdout, opts.onStderr);
    let aborted = false;
    const input = new InputWindow();
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      input.stop();
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      channel.pending.delete(id);
    };
    const onAbort = () => {
      if (aborted || !channel.pending.has(id)) return;
      aborted = true;
      channel.kill(id);
    };
    const pending: Pending = {
      type: "exec",
      closedMessage: `agent channel closed while running command (${what})`,
      onFrame: (frame) => {
        const h = frame.header;
        switch (h.type) {
          case "started":
            opts.onStarted?.(num(h, "pid"));
            return;
          case "ack":
            input.ack(num(h, "bytes"));
            return;
          case "output":
            output.push(frame);
            return;
          case "exit":
            cleanup();
            resolve(output.result(h, aborted));
            return;
          case "error":
            cleanup();
            reject(remoteError(frame, `exec of ${what}`));
            return;
          default:
            throw new AgentProtocolError(`unexpected '${h.type}' frame for an exec`);
        }
      },
      fail: (e) => {
        cleanup();
        reject(e);
      },
    };
    channel.pending.set(id, pending);
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const limitMs = opts.timeoutMs ?? (req.timeoutMs !== undefined ? req.timeoutMs + EXEC_REPLY_GRACE_MS : undefined);
    if (limitMs !== undefined) {
      timer = setTimeout(() => {
        if (!channel.pending.has(id)) return;
        channel.kill(id);
        pending.fail(new AgentTimeoutError(`agent did not report the end of ${what} within ${limitMs} ms`));
      }, limitMs);
    }
    try {
      channel.write(header, first);
    } catch (e) {
      pending.fail(e as Error);
      return;
    }
    if (stdin && first && stdin.length > first.length) {
      channel.pumpInput(id, stdin, first.length, input).catch((e: Error) => pending.fail(e));
    }
  });
}
