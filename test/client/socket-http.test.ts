import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { socketRequest } from "../../src/client/socket-http.js";
import { tempDir } from "../helpers/tmp.js";

/** A raw server that answers each connection with `reply` (written in the given pieces, with pauses). */
async function rawServer(reply: (socket: net.Socket, request: string) => void): Promise<{ socketPath: string; close: () => Promise<void> }> {
  const socketPath = path.join(tempDir(), "s.sock");
  const server = net.createServer((socket) => {
    let request = "";
    socket.on("data", (d) => {
      request += d;
      if (request.includes("\r\n\r\n")) reply(socket, request);
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { socketPath, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const pieces = async (socket: net.Socket, parts: string[]) => {
  for (const p of parts) {
    socket.write(p, "latin1"); // byte for byte: a multi-byte character can be split across pieces
    await new Promise((r) => setTimeout(r, 5));
  }
};

const bodyOf = async (res: { body: AsyncIterable<Buffer> }) => {
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
};

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

describe("HTTP/1.1 over a Unix socket (the lean client's transport)", () => {
  const base = { method: "POST", path: "/v1/x", headers: { host: "firebreak" }, connectTimeoutMs: 1000 };

  it("sends the request and reads a chunked body split anywhere, even inside sizes and CRLFs", async () => {
    let seen = "";
    const s = await rawServer((socket, request) => {
      seen = request;
      void pieces(socket, ["HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n", "6\r\nhel", "lo\n\r", "\n1", "0\r\n", "0123456789abcde\n", "\r\n7\r\nw\xc3", "\xb6rld\n\r\n", "0\r\n\r\n"]).then(() => socket.end());
    });
    closeServer = s.close;
    const res = await socketRequest({ ...base, socketPath: s.socketPath, body: '{"a":1}', headers: { ...base.headers, "content-length": 7 } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    expect(await bodyOf(res)).toBe("hello\n0123456789abcde\nwörld\n");
    expect(seen).toMatch(/^POST \/v1\/x HTTP\/1\.1\r\n/);
    expect(seen.endsWith('\r\n\r\n{"a":1}')).toBe(true);
  });

  it("reads a content-length body", async () => {
    const s = await rawServer((socket) => socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 5\r\n\r\nnope!"));
    closeServer = s.close;
    const res = await socketRequest({ ...base, socketPath: s.socketPath });
    expect(res.status).toBe(404);
    expect(await bodyOf(res)).toBe("nope!");
  });

  it("a connection closed before the chunked body ended is an error, not a short answer", async () => {
    const s = await rawServer((socket) => void pieces(socket, ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n", "5\r\nhel"]).then(() => socket.destroy()));
    closeServer = s.close;
    const res = await socketRequest({ ...base, socketPath: s.socketPath });
    await expect(bodyOf(res)).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("something that is not HTTP is refused; no server at all is ENOENT", async () => {
    const s = await rawServer((socket) => socket.end("SSH-2.0-OpenSSH\r\n\r\n"));
    closeServer = s.close;
    await expect(socketRequest({ ...base, socketPath: s.socketPath })).rejects.toMatchObject({ code: "EPROTO" });
    await expect(socketRequest({ ...base, socketPath: path.join(tempDir(), "none.sock") })).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("aborting mid-body ends the stream with an error and closes the connection", async () => {
    let serverSide: net.Socket | undefined;
    const s = await rawServer((socket) => {
      serverSide = socket;
      socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n");
    });
    closeServer = s.close;
    const abort = new AbortController();
    const res = await socketRequest({ ...base, socketPath: s.socketPath, signal: abort.signal });
    const reading = bodyOf(res);
    setTimeout(() => abort.abort(), 20);
    await expect(reading).rejects.toMatchObject({ name: "AbortError" });
    await new Promise<void>((resolve) => (serverSide!.destroyed ? resolve() : serverSide!.once("close", () => resolve())));
  });
});
