/**
 * TEST PEER: a stand-in guest agent on a Unix socket that answers what a restore's handshake sends (hello, settime,
 * reseed, ping) and records each request, so a test can check that a Firecracker restore sets the clock and reseeds
 * the RNG. The real agent cannot: on a host it must refuse settime (it would set the host's clock).
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { encodeFrame, FrameDecoder } from "../../../../src/vm/agent/frame-codec.js";
import { PROTOCOL_VERSION } from "../../../../src/vm/agent/protocol.js";
import { tempDir } from "../../../helpers/tmp.js";

export interface RecordedAgentRequest {
  type: string;
  header: Record<string, unknown>;
  payloadBytes: number;
}

export interface RecordingAgent {
  socketPath: string;
  requests: RecordedAgentRequest[];
  stop(): Promise<void>;
}

export async function startRecordingAgent(): Promise<RecordingAgent> {
  const socketPath = path.join(tempDir("fc-agent-"), "agent.sock");
  const requests: RecordedAgentRequest[] = [];
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    const decoder = new FrameDecoder();
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => {
      for (const { header, payload } of decoder.push(chunk)) {
        requests.push({ type: header.type, header, payloadBytes: payload.length });
        const id = header.id;
        if (header.type === "hello") {
          socket.write(
            encodeFrame({
              type: "hello",
              id,
              agent: "recording-agent",
              version: "0",
              protocol: PROTOCOL_VERSION,
              capabilities: ["settime", "reseed", "ping"],
              max_header_bytes: 65536,
              max_payload_bytes: 4 << 20,
              pid: 1,
              uptime_ms: 1,
              time_ms: 0,
            }),
          );
        } else if (header.type === "ping") socket.write(encodeFrame({ type: "pong", id }));
        else if (header.type === "reseed") socket.write(encodeFrame({ type: "ok", id, credited: true }));
        else socket.write(encodeFrame({ type: "ok", id }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
        fs.rmSync(socketPath, { force: true });
      }),
  };
}
