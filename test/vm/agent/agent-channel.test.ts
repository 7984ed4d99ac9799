import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AgentClosedError, AgentTimeoutError } from "../../../src/errors.js";
import {
  AgentClient,
  encodeFrame,
  type Frame,
  FrameDecoder,
  MAX_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
} from "../../../src/vm/agent/index.js";
import { processGone, type RunningAgent, startFdAgent, startUnixAgent, waitUntil } from "./agent-process.js";

const started: RunningAgent[] = [];
async function unixAgent(): Promise<RunningAgent> {
  const a = await startUnixAgent();
  started.push(a);
  return a;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.stop()));
});

/** Reads frames off a raw socket, one at a time. */
function frameReader(socket: Socket): () => Promise<Frame> {
  const decoder = new FrameDecoder();
  const queue: Frame[] = [];
  const waiters: Array<(f: Frame) => void> = [];
  socket.on("data", (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) {
      const w = waiters.shift();
      if (w) w(f);
      else queue.push(f);
    }
  });
  return () => {
    const f = queue.shift();
    return f ? Promise.resolve(f) : new Promise((resolve) => waiters.push(resolve));
  };
}

function rawFrame(headerText: string, payloadLen = 0): Buffer {
  const json = Buffer.from(headerText);
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(json.length, 0);
  prefix.writeUInt32BE(payloadLen, 4);
  return Buffer.concat([prefix, json]);
}

describe("agent channel (real agent binary on the host)", () => {
  it("serves a new client after the previous one disconnects, many times", async () => {
    const agent = await unixAgent();
    for (let round = 0; round < 3; round++) {
      const client = await agent.connect();
      const r = await client.exec({ script: `echo round ${round}` }, { collect: true });
      expect(r.stdout?.toString()).toBe(`round ${round}\n`);
      client.close();
      await client.closed;
    }
    expect(agent.proc.exitCode).toBeNull();
  });

  it("lets the newest connection replace a stale one", async () => {
    const agent = await unixAgent();
    const first = await agent.connect();
    await first.ping();
    const second = await agent.connect();
    await first.closed; // the agent dropped the old connection
    expect(first.isClosed).toBe(true);
    expect(await second.ping()).toBeGreaterThanOrEqual(0);
    second.close();
  });

  it("kills a running command when its host disconnects", async () => {
    const agent = await unixAgent();
    const client = await agent.connect();
    let pid = 0;
    const run = client.exec(
      { script: "echo $$; exec sleep 1000" },
      {
        onStdout: (c) => {
          pid = Number(c.toString().trim());
          client.close();
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(AgentClosedError);
    await expect(run).rejects.toThrow(/agent channel closed while running command/);
    await waitUntil(() => pid > 0 && processGone(pid), "the orphaned command is killed");
    const next = await agent.connect();
    await next.ping();
    next.close();
  });

  it("rejects a pending exec with a clear error when the agent dies mid-command", async () => {
    const agent = await unixAgent();
    const client = await agent.connect();
    const run = client.exec({ script: "echo go; exec sleep 1000" }, { onStdout: () => agent.proc.kill("SIGKILL") });
    await expect(run).rejects.toBeInstanceOf(AgentClosedError);
    await expect(run).rejects.toThrow(/agent channel closed while running command/);
    await expect(client.ping()).rejects.toBeInstanceOf(AgentClosedError);
  });

  it("survives garbage frames, answering each with an error frame", async () => {
    const agent = await unixAgent();
    const socket = await agent.rawConnect();
    const next = frameReader(socket);
    expect((await next()).header).toMatchObject({ type: "hello", id: 0 });

    socket.write(rawFrame("{not json"));
    expect((await next()).header).toMatchObject({ type: "error", id: 0, code: "bad_frame" });
    socket.write(rawFrame("[1,2]"));
    expect((await next()).header).toMatchObject({ type: "error", id: 0, code: "bad_frame" });
    socket.write(rawFrame('{"type":"ping"}'));
    expect((await next()).header).toMatchObject({ type: "error", id: 0, code: "bad_request" });
    socket.write(rawFrame('{"type":"frobnicate","id":5}'));
    expect((await next()).header).toMatchObject({ type: "error", id: 5, code: "unknown_type" });
    socket.write(rawFrame('{"type":"exec","id":6,"argv":"not-an-array"}'));
    expect((await next()).header).toMatchObject({ type: "error", id: 6, code: "bad_request" });
    socket.write(rawFrame('{"type":"data","id":77}'));
    expect((await next()).header).toMatchObject({ type: "error", id: 77, code: "unknown_id" });
    socket.write(Buffer.concat([rawFrame('{"type":"ping","id":8}', 3), Buffer.from("xyz")]));
    expect((await next()).header).toMatchObject({ type: "error", id: 8, code: "bad_request" }); // ping takes no payload

    socket.write(encodeFrame({ type: "ping", id: 9 }));
    expect((await next()).header).toMatchObject({ type: "pong", id: 9 });
    socket.destroy();
    expect(agent.proc.exitCode).toBeNull();
  });

  it("rejects oversized frames, skips their bytes and keeps going", async () => {
    const agent = await unixAgent();
    const socket = await agent.rawConnect();
    const next = frameReader(socket);
    await next(); // greeting

    // A payload over the limit is discarded as declared; the same connection stays in sync.
    const oversized = MAX_PAYLOAD_BYTES + 1;
    socket.write(rawFrame('{"type":"put","id":3,"path":"/tmp/x"}', oversized));
    socket.write(Buffer.alloc(oversized));
    expect((await next()).header).toMatchObject({ type: "error", id: 3, code: "too_large" });
    socket.write(encodeFrame({ type: "ping", id: 4 }));
    expect((await next()).header).toMatchObject({ type: "pong", id: 4 });

    // A header over the limit cannot be read: refused with id 0.
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32BE(MAX_HEADER_BYTES + 1, 0);
    socket.write(prefix);
    expect((await next()).header).toMatchObject({ type: "error", id: 0, code: "too_large" });
    socket.destroy();

    const client = await agent.connect();
    expect(await client.ping()).toBeGreaterThanOrEqual(0);
    client.close();
  });

  it("resynchronises on a hello after losing the framing", async () => {
    const agent = await unixAgent();
    const socket = await agent.rawConnect();
    const next = frameReader(socket);
    await next(); // greeting

    // The tail of some earlier frame: its "length prefix" is nonsense.
    const tail = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x01, 0, 0, 0, 9]), Buffer.from("payload bytes")]);
    socket.write(Buffer.concat([tail, encodeFrame({ type: "ping", id: 1 }), encodeFrame({ type: "hello", id: 2 })]));
    expect((await next()).header).toMatchObject({ type: "error", id: 0, code: "too_large" });
    expect((await next()).header).toMatchObject({ type: "hello", id: 2 }); // the ping was skipped
    socket.write(encodeFrame({ type: "ping", id: 3 }));
    expect((await next()).header).toMatchObject({ type: "pong", id: 3 });
    socket.destroy();
  });

  it("hello with reset kills what an earlier host left running on the same channel", async () => {
    const agent = await unixAgent();
    const socket = await agent.rawConnect();
    const next = frameReader(socket);
    await next(); // greeting
    socket.write(encodeFrame({ type: "exec", id: 10, script: "echo $$; exec sleep 1000" }));
    expect((await next()).header).toMatchObject({ type: "started", id: 10 });
    const output = await next();
    expect(output.header).toMatchObject({ type: "output", id: 10 });
    const pid = Number(output.payload.toString().trim());
    expect(processGone(pid)).toBe(false);

    // A new host on the same stream (as on virtio-serial after a quick reconnect).
    socket.write(encodeFrame({ type: "hello", id: 11, reset: true }));
    expect((await next()).header).toMatchObject({ type: "hello", id: 11 });
    await waitUntil(() => processGone(pid), "the earlier host's command is killed");
    socket.destroy();
  });

  it("times out a request the agent does not answer", async () => {
    const agent = await unixAgent();
    const client = await agent.connect();
    await client.hello();
    agent.proc.kill("SIGSTOP");
    try {
      await expect(client.ping({ timeoutMs: 200 })).rejects.toBeInstanceOf(AgentTimeoutError);
    } finally {
      agent.proc.kill("SIGCONT");
    }
    expect(await client.ping()).toBeGreaterThanOrEqual(0); // the late pong was absorbed as a stray
    client.close();
  });

  it("works over an inherited socket pair and ends on shutdown (--no-power-off)", async () => {
    const { proc, stream, exited } = await startFdAgent();
    try {
      const client = new AgentClient(stream);
      const hello = await client.hello();
      expect(hello.pid).toBe(proc.pid);
      const r = await client.exec({ argv: ["printf", "pair"] }, { collect: true });
      expect(r.stdout?.toString()).toBe("pair");
      await client.shutdown();
      expect(await exited).toEqual({ code: 0, signal: null });
      await client.closed;
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
    }
  });

  it("ends when its inherited socket closes", async () => {
    const { proc, stream, exited } = await startFdAgent();
    try {
      stream.destroy();
      expect(await exited).toEqual({ code: 0, signal: null });
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
    }
  });
});
