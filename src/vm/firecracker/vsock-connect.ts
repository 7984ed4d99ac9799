import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { VsockHandshakeError } from "../../errors.js";
import { UNIX_SOCKET_PATH_MAX_BYTES } from "./unix-http.js";

export const DEFAULT_VSOCK_HANDSHAKE_TIMEOUT_MS = 2_000;
export const DEFAULT_VSOCK_RETRY_INTERVAL_MS = 20;
/** `OK <u32>\n` is at most 14 bytes; anything much longer without a newline is not Firecracker. */
const MAX_ANSWER_BYTES = 64;

export interface VsockConnectOptions {
  /** Host path of the vsock device's `uds_path`. */
  udsPath: string;
  /** Guest vsock port to connect to. */
  port: number;
  timeoutMs?: number;
}

/** An open host-initiated vsock connection; any guest bytes that arrived with the answer are kept in `socket`. */
export interface VsockConnection {
  socket: net.Socket;
  /** The host-side port Firecracker assigned, from `OK <n>`. */
  hostPort: number;
}

/**
 * Opens a host-initiated vsock connection through Firecracker's Unix socket: sends `CONNECT <port>\n`, expects
 * `OK <n>\n`. Bytes the guest sends right after the answer stay in the returned socket.
 *
 * Fails with `VsockHandshakeError`; its `response` is undefined when the peer refused or closed without answering
 * (what Firecracker does while nothing in the guest listens on the port yet), and set when it answered garbage.
 *
 * @example
 *   const { socket } = await connectVsock({ udsPath: "/run/vm1/vsock.sock", port: 52 });
 */
export function connectVsock(options: VsockConnectOptions): Promise<VsockConnection> {
  const { udsPath, port } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_VSOCK_HANDSHAKE_TIMEOUT_MS;
  if (!Number.isInteger(port) || port < 0 || port > 0xffffffff) {
    return Promise.reject(new VsockHandshakeError(`invalid vsock port ${port}`, port));
  }
  if (Buffer.byteLength(udsPath) > UNIX_SOCKET_PATH_MAX_BYTES) {
    return Promise.reject(
      new VsockHandshakeError(`vsock socket path is longer than ${UNIX_SOCKET_PATH_MAX_BYTES} bytes: ${udsPath}`, port),
    );
  }

  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path: udsPath });
    let received = Buffer.alloc(0);
    let settled = false;

    const fail = (message: string, response?: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      reject(new VsockHandshakeError(`vsock CONNECT ${port} via ${udsPath}: ${message}`, port, response, { cause }));
    };
    const onConnect = () => socket.write(`CONNECT ${port}\n`);
    // 'readable' + read(), not 'data': the socket is never switched into flowing mode or explicitly paused here,
    // so the caller's first 'data' listener (or pipe) starts the flow as usual.
    const onReadable = () => {
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
        received = Buffer.concat([received, chunk]);
        const newline = received.indexOf(0x0a);
        if (newline < 0) {
          if (received.length > MAX_ANSWER_BYTES) return fail("answer too long", received.toString("latin1"));
          continue;
        }
        const line = received.subarray(0, newline).toString("latin1");
        const match = /^OK (\d{1,10})$/.exec(line);
        if (!match) return fail(`expected "OK <port>", got ${JSON.stringify(line)}`, line);
        settled = true;
        cleanup();
        const rest = received.subarray(newline + 1);
        if (rest.length > 0) socket.unshift(rest);
        return resolve({ socket, hostPort: Number(match[1]) });
      }
    };
    const onError = (err: NodeJS.ErrnoException) => fail(`cannot connect (${err.code ?? err.message})`, undefined, err);
    const onClose = () => fail("closed without answering (nothing listening on that guest port?)");
    const onEnd = onClose;
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("readable", onReadable);
      socket.off("error", onError);
      socket.off("close", onClose);
      socket.off("end", onEnd);
    };

    socket.on("connect", onConnect);
    socket.on("readable", onReadable);
    socket.on("error", onError);
    socket.on("close", onClose);
    socket.on("end", onEnd);
  });
}

export interface VsockRetryOptions extends VsockConnectOptions {
  /** Keep retrying refused or unanswered handshakes until this long has passed. */
  deadlineMs: number;
  retryIntervalMs?: number;
}

/**
 * `connectVsock`, retried while the guest is not listening yet (no answer) until `deadlineMs`. A garbled answer is
 * not retried: it means the socket is not a Firecracker vsock device.
 */
export async function connectVsockWithRetry(options: VsockRetryOptions): Promise<VsockConnection> {
  const interval = options.retryIntervalMs ?? DEFAULT_VSOCK_RETRY_INTERVAL_MS;
  const giveUpAt = Date.now() + options.deadlineMs;
  for (;;) {
    const remaining = giveUpAt - Date.now();
    try {
      return await connectVsock({ ...options, timeoutMs: Math.max(1, Math.min(options.timeoutMs ?? DEFAULT_VSOCK_HANDSHAKE_TIMEOUT_MS, remaining)) });
    } catch (err) {
      const retryable = err instanceof VsockHandshakeError && err.response === undefined;
      if (!retryable || Date.now() + interval >= giveUpAt) {
        if (err instanceof VsockHandshakeError && retryable) {
          throw new VsockHandshakeError(
            `guest agent did not accept a vsock connection on port ${options.port} within ${options.deadlineMs} ms: ${err.message}`,
            options.port,
            undefined,
            { cause: err },
          );
        }
        throw err;
      }
      await sleep(interval);
    }
  }
}
