import http from "node:http";
import { StringDecoder } from "node:string_decoder";
import { DaemonError } from "../errors.js";

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
 * A small HTTP/1.1 client for the daemon's Unix socket (node:http only, so the lean CLI loads nothing
 * else).
 *
 * @example
 * const client = new DaemonClient("/run/user/1000/firebreak/daemon.sock");
 * const res = await client.request("GET", "/healthz");
 */
export class DaemonClient {
  /** A connection per request: a Unix socket connects in microseconds. */
  private readonly agent = false as const;
  /** True once any answer came back: from then on the daemon is live, and failures are errors, not a fallback. */
  answered = false;

  constructor(readonly socketPath: string) {}

  request(method: string, path: string, body?: unknown, options: { accept?: string; signal?: AbortSignal } = {}): Promise<DaemonResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.socketPath,
          path,
          method,
          agent: this.agent,
          // Said outright: otherwise the agent works out a TLS server name from the Host header, compiling
          // Node's IPv6 regex on the way (~15 ms of a CLI call that should take a few).
          ...({ servername: "" } as object),
          signal: options.signal,
          headers: {
            host: "firebreak",
            accept: options.accept ?? "application/json",
            ...(payload !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          this.answered = true;
          resolve(wrap(res));
        },
      );
      const connectTimer = setTimeout(() => req.destroy(Object.assign(new Error("the daemon did not answer"), { code: "ETIMEDOUT" })), CONNECT_TIMEOUT_MS);
      req.once("socket", (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once("connect", () => clearTimeout(connectTimer));
      });
      req.once("response", () => clearTimeout(connectTimer));
      req.once("error", (error) => {
        clearTimeout(connectTimer);
        reject(error);
      });
      req.end(payload);
    });
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
  return code === "ENOENT" || code === "ECONNREFUSED" || code === "ETIMEDOUT" || code === "ENOTSOCK" || code === "EACCES" || code === "ECONNRESET";
}

function wrap(res: http.IncomingMessage): DaemonResponse {
  return {
    status: res.statusCode ?? 0,
    contentType: String(res.headers["content-type"] ?? ""),
    async text() {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    async *lines() {
      let pending = "";
      // A chunk may end inside a multi-byte character: the decoder keeps it for the next one.
      const decoder = new StringDecoder("utf8");
      for await (const c of res) {
        pending += decoder.write(c as Buffer);
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
