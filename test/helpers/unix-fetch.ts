import http from "node:http";
import { Readable } from "node:stream";

/**
 * A `fetch` that sends every request to a Unix socket (the daemon's), for clients that take a fetch
 * implementation (the MCP SDK's StreamableHTTPClientTransport). Responses stream, so SSE works.
 */
export function unixSocketFetch(socketPath: string): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    return new Promise<Response>((resolve, reject) => {
      const url = new URL(request.url);
      const req = http.request({ socketPath, path: `${url.pathname}${url.search}`, method: request.method, headers: Object.fromEntries(request.headers), signal: request.signal }, (res) => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
        const status = res.statusCode ?? 500;
        const stream = status === 204 || status === 304 ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        resolve(new Response(stream, { status, headers }));
      });
      req.on("error", reject);
      req.end(body);
    });
  };
}
