import { StringDecoder } from "node:string_decoder";
import { DaemonError } from "../errors.js";
import { type SocketHttpRequest, type SocketHttpResponse, socketRequest } from "./socket-http.js";

export interface DaemonResponse {
  status: number;
  contentType: string;
  /** The whole body (for JSON answers). */
  text(): Promise<string>;
  /** The body line by line as it arrives (for NDJSON streams). */
  lines(): AsyncIterable<string>;
}

/** No answer within this on connect means no usable daemon: the CLI then runs in-process. */
export const CONNECT_TIMEOUT_MS = 1000;

/**
 * A small HTTP/1.1 client for the daemon's Unix socket (node:net only, so the lean CLI loads nothing else).
 *
 * @example
 * const client = new DaemonClient("/run/user/1000/firebreak/daemon.sock");
 * const res = await client.request("GET", "/healthz");
 */
export class DaemonClient {
  /** True once any answer came back: from then on the daemon is live, and failures are errors, not a fallback. */
  answered = false;

  /**
   * @param send how a request travels: over the socket by default; the daemon, rendering a relayed CLI call, passes
   * its own app instead (server/routes/cli.ts), so the call takes the same code path without a second connection.
   */
  constructor(
    readonly socketPath: string,
    private readonly send: (req: SocketHttpRequest) => Promise<SocketHttpResponse> = socketRequest,
  ) {}

  async request(method: string, path: string, body?: unknown, options: { accept?: string; signal?: AbortSignal } = {}): Promise<DaemonResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await this.send({
      socketPath: this.socketPath,
      method,
      path,
      body: payload,
      signal: options.signal,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      headers: {
        host: "firebreak",
        accept: options.accept ?? "application/json",
        ...(payload !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
      },
    });
    this.answered = true;
    return wrap(res);
  }

  /** A JSON answer; a body that is not JSON means this is not firebreak's daemon. */
  async json<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await this.request(method, path, body);
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as T };
    } catch (cause) {
      throw new DaemonError(`the daemon on ${this.socketPath} answered ${method} ${path} with something that is not JSON (status ${res.status})`, { cause });
    }
  }

  close(): void {
    // Nothing pooled: each request closed its connection.
  }
}

/** True for errors that mean "nobody usable is listening" (so the CLI may fall back to in-process). */
export function isUnreachable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  // EPIPE: closed while the request was still being written, so the daemon cannot have acted on it.
  return code === "ENOENT" || code === "ECONNREFUSED" || code === "ETIMEDOUT" || code === "ENOTSOCK" || code === "EACCES" || code === "ECONNRESET" || code === "EPIPE";
}

function wrap(res: SocketHttpResponse): DaemonResponse {
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    async text() {
      const chunks: Buffer[] = [];
      for await (const c of res.body) chunks.push(c);
      return Buffer.concat(chunks).toString("utf8");
    },
    async *lines() {
      let pending = "";
      // A chunk may end inside a multi-byte character: the decoder keeps it for the next one.
      const decoder = new StringDecoder("utf8");
      for await (const c of res.body) {
        pending += decoder.write(c);
        let nl = pending.indexOf("\n");
        while (nl >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line) yield line;
          nl = pending.indexOf("\n");
        }
      }
      pending += decoder.end();
      if (pending) yield pending;
    },
  };
}
