/**
 * HTTP/1.1 over a Unix socket with node:net alone: one request per connection (`connection: close`), the answer's
 * status and headers, then its body as it arrives (chunked or not).
 *
 * Why not node:http: the lean CLI's whole job is one small request, and loading node:http (its agent, parser and
 * streams) costs more than the request itself.
 */
import net from "node:net";

/** A response head larger than this is not our daemon. */
const MAX_HEAD_BYTES = 64 * 1024;

export interface SocketHttpRequest {
  socketPath: string;
  method: string;
  path: string;
  headers: Record<string, string | number>;
  body?: string;
  signal?: AbortSignal;
  /** No connection within this: the request fails with ETIMEDOUT. */
  connectTimeoutMs: number;
}

export interface SocketHttpResponse {
  status: number;
  headers: Map<string, string>;
  /** The body's bytes as they arrive, de-chunked. */
  body: AsyncIterable<Buffer>;
}

class ProtocolError extends Error {
  readonly code = "EPROTO";
}

/**
 * Sends one request and resolves with the response once its head has arrived.
 *
 * @example
 * const res = await socketRequest({ socketPath, method: "GET", path: "/healthz", headers: { host: "firebreak" }, connectTimeoutMs: 1000 });
 * for await (const chunk of res.body) process.stdout.write(chunk);
 */
export function socketRequest(req: SocketHttpRequest): Promise<SocketHttpResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path: req.socketPath });
    const body = new BodyQueue();
    let head: Buffer | undefined = Buffer.alloc(0) as Buffer;
    let decoder: ((chunk: Buffer) => void) | undefined;
    let settled = false;
    /** Whether the body arrived whole: a connection that closes before that is an error, not a short answer. */
    let complete = () => false;
    const fail = (error: Error) => {
      socket.destroy();
      if (!settled) {
        settled = true;
        reject(error);
      } else body.fail(error);
    };
    const connectTimer = setTimeout(() => fail(Object.assign(new Error("the daemon did not answer"), { code: "ETIMEDOUT" })), req.connectTimeoutMs);
    const onAbort = () => fail(Object.assign(new Error("the request was aborted"), { code: "ABORT_ERR", name: "AbortError" }));
    if (req.signal?.aborted) return onAbort();
    req.signal?.addEventListener("abort", onAbort, { once: true });

    socket.once("connect", () => {
      clearTimeout(connectTimer);
      const lines = [`${req.method} ${req.path} HTTP/1.1`, "connection: close"];
      for (const [k, v] of Object.entries(req.headers)) lines.push(`${k}: ${v}`);
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (req.body !== undefined) socket.write(req.body);
    });
    socket.on("data", (chunk: Buffer) => {
      if (decoder) return decoder(chunk);
      head = Buffer.concat([head!, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) fail(new ProtocolError("the daemon's response head is too large"));
        return;
      }
      let parsed: { status: number; headers: Map<string, string> };
      try {
        parsed = parseHead(head.subarray(0, end).toString("latin1"));
      } catch (error) {
        return fail(error as Error);
      }
      const rest = head.subarray(end + 4);
      head = undefined;
      const chunked = /\bchunked\b/i.test(parsed.headers.get("transfer-encoding") ?? "");
      const length = parsed.headers.has("content-length") ? Number(parsed.headers.get("content-length")) : undefined;
      let received = 0;
      complete = chunked ? () => body.ended : () => length === undefined || received >= length;
      decoder = chunked
        ? chunkedDecoder(body, (e) => fail(e))
        : (c) => {
            received += c.length;
            body.push(c);
          };
      settled = true;
      resolve({ status: parsed.status, headers: parsed.headers, body });
      if (rest.length) decoder(rest);
    });
    socket.once("error", (error) => fail(error));
    socket.once("close", () => {
      clearTimeout(connectTimer);
      req.signal?.removeEventListener("abort", onAbort);
      if (!settled) fail(Object.assign(new Error("the daemon closed the connection without answering"), { code: "ECONNRESET" }));
      else if (!complete()) body.fail(Object.assign(new Error("the daemon closed the connection before the answer was complete"), { code: "ECONNRESET" }));
      body.end();
    });
  });
}

function parseHead(text: string): { status: number; headers: Map<string, string> } {
  const [statusLine = "", ...headerLines] = text.split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m) throw new ProtocolError(`not an HTTP response: ${JSON.stringify(statusLine.slice(0, 40))}`);
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(m[1]), headers };
}

/** Turns `chunked` transfer coding back into the body's bytes, chunk boundaries anywhere. */
function chunkedDecoder(out: BodyQueue, fail: (e: Error) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let remaining = -1; // bytes left of the current chunk's data; -1 = expecting a size line
  let done = false;
  return (chunk) => {
    if (done) return;
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (remaining < 0) {
        const eol = pending.indexOf("\r\n");
        if (eol < 0) {
          if (pending.length > 1024) fail(new ProtocolError("bad chunk size line"));
          return;
        }
        const size = Number.parseInt(pending.subarray(0, eol).toString("latin1").split(";")[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0) return fail(new ProtocolError("bad chunk size"));
        pending = pending.subarray(eol + 2);
        if (size === 0) {
          done = true;
          out.end();
          return;
        }
        remaining = size;
      }
      if (remaining > 0) {
        if (pending.length === 0) return;
        const take = Math.min(remaining, pending.length);
        out.push(pending.subarray(0, take));
        pending = pending.subarray(take);
        remaining -= take;
      }
      if (remaining === 0) {
        if (pending.length < 2) return; // the CRLF after the data has not arrived yet
        pending = pending.subarray(2);
        remaining = -1;
      }
    }
  };
}

/** Body chunks queued for one async reader. */
class BodyQueue implements AsyncIterable<Buffer> {
  private readonly chunks: Buffer[] = [];
  ended = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;

  push(chunk: Buffer): void {
    if (this.ended) return;
    this.chunks.push(chunk);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(error: Error): void {
    this.error ??= error;
    this.end();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (this.error) throw this.error;
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}
