import http from "node:http";
import { FirecrackerConnectionError } from "../../errors.js";

/** A raw HTTP exchange over a Unix socket: what was answered, before any interpretation. */
export interface UnixHttpResponse {
  status: number;
  body: string;
}

export interface UnixHttpRequest {
  socketPath: string;
  method: string;
  path: string;
  /** Serialised as JSON with an explicit Content-Length (Firecracker's HTTP server has no chunked encoding). */
  body?: unknown;
  timeoutMs: number;
}

/** Linux `sun_path` is 108 bytes including the terminating NUL. */
export const UNIX_SOCKET_PATH_MAX_BYTES = 107;

/**
 * One HTTP request on a fresh connection to a Unix socket. Connection failures and the overall deadline become
 * `FirecrackerConnectionError` (with `timedOut` set for the deadline); any HTTP status is returned, not thrown.
 *
 * @example
 *   const res = await unixHttpRequest({ socketPath: "/run/fc.sock", method: "GET", path: "/", timeoutMs: 1000 });
 */
export function unixHttpRequest(req: UnixHttpRequest): Promise<UnixHttpResponse> {
  const what = `${req.method} ${req.path}`;
  if (Buffer.byteLength(req.socketPath) > UNIX_SOCKET_PATH_MAX_BYTES) {
    return Promise.reject(
      new FirecrackerConnectionError(
        `${what}: socket path is longer than ${UNIX_SOCKET_PATH_MAX_BYTES} bytes: ${req.socketPath}`,
        req.socketPath,
      ),
    );
  }
  const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body), "utf8");
  const headers: http.OutgoingHttpHeaders = { Accept: "application/json" };
  if (payload) {
    headers["Content-Type"] = "application/json";
    headers["Content-Length"] = payload.length;
  }

  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, res?: UnixHttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(res!);
    };

    // agent: false = one connection per request; no pooled socket outlives the VM process.
    const request = http.request(
      { socketPath: req.socketPath, method: req.method, path: req.path, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          finish(undefined, { status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", (err) =>
          finish(new FirecrackerConnectionError(`${what}: reading the response failed: ${err.message}`, req.socketPath, false, { cause: err })),
        );
      },
    );
    const timer = setTimeout(() => {
      const err = new FirecrackerConnectionError(
        `${what}: no response within ${req.timeoutMs} ms on ${req.socketPath}`,
        req.socketPath,
        true,
      );
      finish(err);
      request.destroy(err);
    }, req.timeoutMs);
    request.on("error", (err: NodeJS.ErrnoException) => {
      const code = err.code ? ` (${err.code})` : "";
      finish(
        new FirecrackerConnectionError(`${what}: cannot reach ${req.socketPath}${code}: ${err.message}`, req.socketPath, false, {
          cause: err,
        }),
      );
    });
    request.end(payload);
  });
}
