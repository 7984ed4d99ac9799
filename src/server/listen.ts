import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { createAdaptorServer } from "@hono/node-server";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { ConfigError, UsageError } from "../errors.js";

type HttpServer = ReturnType<typeof createAdaptorServer>;

/** A running listener: where it listens, and how to stop it (stop accepting, drop idle connections, remove the socket). */
export interface Listener {
  address: string;
  server: HttpServer;
  close(): Promise<void>;
}

/**
 * Listens on a Unix socket: the socket is 0600 in a 0700 directory, so only this user can connect. A
 * stale socket (nobody answers) is replaced; a live one means a daemon already runs there.
 */
export async function listenOnSocket(app: OpenAPIHono, socketPath: string): Promise<Listener> {
  const dir = path.dirname(socketPath);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.statSync(dir);
  if (typeof process.getuid === "function" && stat.uid !== process.getuid()) {
    throw new ConfigError(`the socket directory ${dir} belongs to another user; choose another --socket`);
  }
  // Ours: make sure nobody else can even reach the socket (the directory may have existed with other modes).
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  if (fs.existsSync(socketPath)) {
    if (await answers(socketPath)) throw new UsageError(`a firebreak daemon already listens on ${socketPath} (firebreak daemon status)`);
    fs.unlinkSync(socketPath);
  }
  const server = createAdaptorServer({ fetch: app.fetch });
  const previous = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } finally {
    process.umask(previous);
  }
  fs.chmodSync(socketPath, 0o600);
  return { address: socketPath, server, close: () => closeServer(server, () => fs.rmSync(socketPath, { force: true })) };
}

/**
 * Listens on TCP. Loopback only unless `allowRemote`; every request then needs the bearer token (the app
 * is built with it).
 */
export async function listenOnTcp(app: OpenAPIHono, hostPort: string, allowRemote: boolean): Promise<Listener> {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(hostPort);
  if (!m) throw new UsageError(`--listen needs HOST:PORT (e.g. 127.0.0.1:7411), got '${hostPort}'`);
  const host = m[1]!.replace(/^\[|\]$/g, "");
  const port = Number(m[2]);
  if (port > 65535) throw new UsageError(`--listen: port ${port} is out of range`);
  if (!isLoopback(host) && !allowRemote) {
    throw new UsageError(`--listen ${hostPort} is not a loopback address: anyone who reaches it could run commands here. Add --allow-remote to mean it (a bearer token is still required)`);
  }
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address() as net.AddressInfo;
  return { address: `${bound.address}:${bound.port}`, server, close: () => closeServer(server) };
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** The bearer token for TCP listeners: made on first use, kept 0600 in the state dir. */
export function daemonToken(tokenFile: string): string {
  try {
    const existing = fs.readFileSync(tokenFile, "utf8").trim();
    if (existing.length >= 32) return existing;
  } catch {
    // not there yet
  }
  fs.mkdirSync(path.dirname(tokenFile), { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString("base64url");
  fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  fs.chmodSync(tokenFile, 0o600);
  return token;
}

/** True when something accepts connections on the socket. */
export function answers(socketPath: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function closeServer(server: HttpServer, after?: () => void): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      after?.();
      resolve();
    });
    // Idle keep-alive connections would hold close() open.
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}
