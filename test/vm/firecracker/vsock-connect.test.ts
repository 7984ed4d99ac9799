/**
 * The host side of Firecracker's vsock UDS handshake, against a local test peer speaking the same protocol
 * (`CONNECT <port>\n` -> `OK <n>\n`, or closing when nothing listens on that guest port).
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VsockHandshakeError } from "../../../src/errors.js";
import { connectVsock, connectVsockWithRetry } from "../../../src/vm/firecracker/index.js";

let tmp: string;
let server: net.Server | undefined;
let udsPath: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fc-vsock-"));
  udsPath = path.join(tmp, "vsock.sock");
});
afterEach(async () => {
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Starts a peer; `onLine` gets each connection's first line and the socket. */
async function peer(onLine: (line: string, socket: net.Socket, connection: number) => void): Promise<void> {
  let connections = 0;
  server = net.createServer((socket) => {
    const n = ++connections;
    let buf = "";
    const onData = (chunk: Buffer) => {
      buf += chunk.toString("latin1");
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      socket.off("data", onData);
      onLine(buf.slice(0, nl), socket, n);
    };
    socket.on("data", onData);
    socket.on("error", () => {});
  });
  await new Promise<void>((r) => server!.listen(udsPath, r));
}

async function caught(promise: Promise<unknown>): Promise<VsockHandshakeError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(VsockHandshakeError);
    return err as VsockHandshakeError;
  }
  throw new Error("expected a rejection");
}

describe("connectVsock", () => {
  it("sends CONNECT <port> and returns the stream after OK <n>, keeping early guest bytes", async () => {
    let asked = "";
    await peer((line, socket) => {
      asked = line;
      // The answer and the guest's first bytes arrive in one chunk.
      socket.write("OK 1073741824\nhello from guest");
      socket.on("data", (d) => socket.write(`echo:${d}`));
    });
    const { socket, hostPort } = await connectVsock({ udsPath, port: 52 });
    expect(asked).toBe("CONNECT 52");
    expect(hostPort).toBe(1073741824);

    const received: string[] = [];
    socket.on("data", (d: Buffer) => received.push(d.toString()));
    await new Promise((r) => setTimeout(r, 20));
    socket.write("ping");
    await new Promise<void>((resolve) => {
      const check = () => (received.join("").includes("echo:ping") ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(received.join("")).toBe("hello from guestecho:ping");
    socket.destroy();
  });

  it("a refusal line is a handshake error carrying the response", async () => {
    await peer((_line, socket) => socket.end("FAILURE\n"));
    const err = await caught(connectVsock({ udsPath, port: 1024 }));
    expect(err.response).toBe("FAILURE");
    expect(err.port).toBe(1024);
    expect(err.message).toMatch(/expected "OK <port>"/);
  });

  it("OK without a number is rejected", async () => {
    await peer((_line, socket) => socket.end("OK\n"));
    expect((await caught(connectVsock({ udsPath, port: 5 }))).response).toBe("OK");
  });

  it("a close without an answer (guest not listening) has no response", async () => {
    await peer((_line, socket) => socket.end());
    const err = await caught(connectVsock({ udsPath, port: 7 }));
    expect(err.response).toBeUndefined();
    expect(err.message).toMatch(/closed without answering/);
  });

  it("a missing socket fails with the errno", async () => {
    const err = await caught(connectVsock({ udsPath, port: 7 }));
    expect(err.message).toMatch(/ENOENT/);
    expect(err.response).toBeUndefined();
  });

  it("a silent peer hits the timeout", async () => {
    await peer(() => {});
    const err = await caught(connectVsock({ udsPath, port: 7, timeoutMs: 100 }));
    expect(err.message).toMatch(/no answer within 100 ms/);
  });

  it("an overlong answer without newline is cut off", async () => {
    await peer((_line, socket) => socket.write("x".repeat(100)));
    expect((await caught(connectVsock({ udsPath, port: 7 }))).message).toMatch(/too long/);
  });

  it("rejects an invalid port before connecting", async () => {
    await expect(connectVsock({ udsPath, port: -1 })).rejects.toThrow(/invalid vsock port/);
    await expect(connectVsock({ udsPath, port: 2 ** 32 })).rejects.toThrow(/invalid vsock port/);
  });
});

describe("connectVsockWithRetry", () => {
  it("retries while the guest is not listening, then connects", async () => {
    await peer((_line, socket, n) => (n < 3 ? socket.end() : socket.write("OK 99\n")));
    const { socket, hostPort } = await connectVsockWithRetry({ udsPath, port: 52, deadlineMs: 5_000, retryIntervalMs: 5 });
    expect(hostPort).toBe(99);
    socket.destroy();
  });

  it("does not retry a garbled answer", async () => {
    let attempts = 0;
    await peer((_line, socket) => {
      attempts++;
      socket.end("NOPE\n");
    });
    const err = await caught(connectVsockWithRetry({ udsPath, port: 52, deadlineMs: 5_000, retryIntervalMs: 5 }));
    expect(err.response).toBe("NOPE");
    expect(attempts).toBe(1);
  });

  it("gives up at the deadline with a clear message", async () => {
    await peer((_line, socket) => socket.end());
    const err = await caught(connectVsockWithRetry({ udsPath, port: 52, deadlineMs: 150, retryIntervalMs: 10 }));
    expect(err.message).toMatch(/did not accept a vsock connection on port 52 within 150 ms/);
    expect(err.cause).toBeInstanceOf(VsockHandshakeError);
  });
});
