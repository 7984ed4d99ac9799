/** Small pieces AgentClient is built from: pending requests, the input flow-control window, header readers. */
import { AgentProtocolError, AgentRemoteError } from "../../errors.js";
import type { AgentHello, Frame, FrameHeader } from "./protocol.js";
import { INPUT_WINDOW_BYTES, } from "./protocol.js";
import { parseWalkListing, type WalkEntry } from "./walk-listing.js";

export interface Pending {
  type: string;
  closedMessage: string;
  onFrame(frame: Frame): void;
  fail(err: Error): void;
}

/** Tracks unacknowledged input so a sender never has more than the window in flight. */
export class InputWindow {
  private unacked = 0;
  private waiters: Array<() => void> = [];
  stopped = false;

  ack(bytes: number): void {
    this.unacked = Math.max(0, this.unacked - bytes);
    this.wake();
  }
  sent(bytes: number): void {
    this.unacked += bytes;
  }
  stop(): void {
    this.stopped = true;
    this.wake();
  }
  async room(bytes: number): Promise<void> {
    while (!this.stopped && this.unacked > 0 && this.unacked + bytes > INPUT_WINDOW_BYTES) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export function toBuffer(data: Uint8Array | string): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
}

export function num(header: FrameHeader, key: string): number {
  const v = header[key];
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new AgentProtocolError(`agent '${header.type}' reply lacks number '${key}'`);
  }
  return v;
}

export function remoteError(frame: Frame, request: string): AgentRemoteError {
  const code = typeof frame.header.code === "string" ? frame.header.code : "unknown";
  const message = typeof frame.header.message === "string" ? frame.header.message : "(no message)";
  return new AgentRemoteError(`agent refused ${request}: ${message}`, code, request);
}

export function parseHello(header: FrameHeader): AgentHello {
  const caps = header.capabilities;
  if (!Array.isArray(caps) || !caps.every((c) => typeof c === "string")) {
    throw new AgentProtocolError("agent hello lacks 'capabilities'");
  }
  const hello: AgentHello = {
    agent: String(header.agent),
    version: String(header.version),
    protocol: num(header, "protocol"),
    capabilities: caps as string[],
    maxHeaderBytes: num(header, "max_header_bytes"),
    maxPayloadBytes: num(header, "max_payload_bytes"),
    pid: num(header, "pid"),
    uptimeMs: num(header, "uptime_ms"),
    timeMs: num(header, "time_ms"),
  };
  if (typeof header.kernel === "string") hello.kernel = header.kernel;
  return hello;
}

/** The data frames of one answer, checked against the byte count its final frame declares. */
export class DataFrames {
  private readonly parts: Buffer[] = [];
  private received = 0;

  add(payload: Buffer): void {
    this.parts.push(payload);
    this.received += payload.length;
  }

  whole(type: string, final: Frame): Buffer {
    const declared = final.header.bytes;
    if (typeof declared === "number" && declared !== this.received) {
      throw new AgentProtocolError(`${type}: agent declared ${declared} bytes, sent ${this.received}`);
    }
    return Buffer.concat(this.parts, this.received);
  }
}

/** A walk listing from the agent; a malformed one is a protocol error naming what was listed. */
export function listingOf(listing: Buffer, what: string): WalkEntry[] {
  try {
    return parseWalkListing(listing);
  } catch (error) {
    throw new AgentProtocolError(`${what}: ${(error as Error).message}`);
  }
}
