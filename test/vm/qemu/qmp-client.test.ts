import { mkdtemp, rm } from "node:fs/promises";
import { type Server, type Socket, createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { QmpError } from "../../../src/errors.js";
import { QmpClient } from "../../../src/vm/qemu/qmp-client.js";

// A QMP peer speaking the wire format QEMU documents (docs/interop/qmp-spec): greeting,
// capabilities negotiation, replies carrying the request id, asynchronous events.
type Handler = (msg: { execute: string; arguments?: unknown; id?: string }, sock: Socket) => void;

let dir: string;
let server: Server;
let socketPath: string;

async function listen(handler: Handler, greet = true): Promise<void> {
  server = createServer((sock) => {
    if (greet) sock.write(`${JSON.stringify({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 } }, capabilities: [] } })}\n`);
    let buf = "";
    sock.on("data", (d) => {
      buf += d.toString();
      let i = buf.indexOf("\n");
      while (i >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) handler(JSON.parse(line), sock);
        i = buf.indexOf("\n");
      }
    });
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
}

const reply = (sock: Socket, id: string | undefined, ret: unknown) => sock.write(`${JSON.stringify({ return: ret, id })}\r\n`);

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "fbqmp-"));
  socketPath = path.join(dir, "qmp.sock");
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe("QmpClient", () => {
  it("negotiates capabilities, then matches replies to requests by id even out of order", async () => {
    const seen: string[] = [];
    let held: { sock: Socket; id?: string } | undefined;
    await listen((msg, sock) => {
      seen.push(msg.execute);
      if (msg.execute === "qmp_capabilities") return reply(sock, msg.id, {});
      if (msg.execute === "slow") {
        held = { sock, id: msg.id };
        return;
      }
      reply(sock, msg.id, { status: "running", echo: msg.arguments });
      if (held) reply(held.sock, held.id, "slow-done");
    });
    const qmp = await QmpClient.connect(socketPath);
    const slow = qmp.execute("slow");
    const fast = await qmp.execute<{ status: string; echo: unknown }>("query-status", { x: 1 });
    expect(fast).toEqual({ status: "running", echo: { x: 1 } });
    expect(await slow).toBe("slow-done");
    expect(seen).toEqual(["qmp_capabilities", "slow", "query-status"]);
    qmp.close();
  });

  it("maps an error reply to QmpError with the class and command", async () => {
    await listen((msg, sock) => {
      if (msg.execute === "qmp_capabilities") return reply(sock, msg.id, {});
      sock.write(`${JSON.stringify({ error: { class: "CommandNotFound", desc: "The command nope has not been found" }, id: msg.id })}\n`);
    });
    const qmp = await QmpClient.connect(socketPath);
    const err = await qmp.execute("nope").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpError);
    expect(err).toMatchObject({ qmpClass: "CommandNotFound", command: "nope" });
    expect((err as Error).message).toContain("has not been found");
    qmp.close();
  });

  it("delivers events and resolves waitForEvent with the matching one", async () => {
    await listen((msg, sock) => {
      reply(sock, msg.id, {});
      if (msg.execute === "go") {
        sock.write(`${JSON.stringify({ event: "MIGRATION", data: { status: "active" }, timestamp: { seconds: 1, microseconds: 0 } })}\n`);
        sock.write(`${JSON.stringify({ event: "MIGRATION", data: { status: "completed" }, timestamp: { seconds: 1, microseconds: 5 } })}\n`);
      }
    });
    const qmp = await QmpClient.connect(socketPath);
    const events: string[] = [];
    qmp.events.on("event", (e) => events.push(String(e.data?.status)));
    const done = qmp.waitForEvent("MIGRATION", 5000, (e) => e.data?.status === "completed");
    await qmp.execute("go");
    expect((await done).data).toEqual({ status: "completed" });
    expect(events).toEqual(["active", "completed"]);
    qmp.close();
  });

  it("rejects pending commands and waiters when the peer goes away", async () => {
    await listen((msg, sock) => {
      if (msg.execute === "qmp_capabilities") return reply(sock, msg.id, {});
      sock.destroy();
    });
    const qmp = await QmpClient.connect(socketPath);
    const waiting = qmp.waitForEvent("SHUTDOWN", 5000);
    await expect(qmp.execute("quit")).rejects.toBeInstanceOf(QmpError);
    await expect(waiting).rejects.toBeInstanceOf(QmpError);
    await expect(qmp.execute("after")).rejects.toThrow(/closed/);
  });

  it("fails when no greeting arrives in time, and when nothing listens", async () => {
    await listen(() => {}, false);
    await expect(QmpClient.connect(socketPath, 100)).rejects.toThrow(/no QMP greeting/);
    await expect(QmpClient.connect(path.join(dir, "absent.sock"))).rejects.toThrow(/cannot connect/);
  });

  it("rejects a peer that sends something other than JSON", async () => {
    server = createServer((sock) => sock.write("garbage\n"));
    await new Promise<void>((r) => server.listen(socketPath, r));
    await expect(QmpClient.connect(socketPath)).rejects.toThrow(/not JSON/);
  });
});
