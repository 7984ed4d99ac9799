import { AgentProtocolError } from "../../errors.js";
import { DEFAULT_FRAME_LIMITS, FRAME_PREFIX_BYTES, type Frame, type FrameHeader, type FrameLimits } from "./protocol.js";

/** Encodes one frame: u32be header length, u32be payload length, JSON header, payload. */
export function encodeFrame(
  header: FrameHeader,
  payload: Uint8Array = new Uint8Array(0),
  limits: FrameLimits = DEFAULT_FRAME_LIMITS,
): Buffer {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  if (json.length > limits.maxHeaderBytes) {
    throw new AgentProtocolError(`frame header of ${json.length} bytes exceeds ${limits.maxHeaderBytes}`);
  }
  if (payload.length > limits.maxPayloadBytes) {
    throw new AgentProtocolError(`frame payload of ${payload.length} bytes exceeds ${limits.maxPayloadBytes}`);
  }
  const prefix = Buffer.allocUnsafe(FRAME_PREFIX_BYTES);
  prefix.writeUInt32BE(json.length, 0);
  prefix.writeUInt32BE(payload.length, 4);
  return Buffer.concat([prefix, json, payload]);
}

function parseHeader(bytes: Buffer): FrameHeader {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new AgentProtocolError("frame header is not valid JSON", { cause: err });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AgentProtocolError("frame header is not a JSON object");
  }
  const header = value as Record<string, unknown>;
  if (typeof header.type !== "string") throw new AgentProtocolError("frame header has no string 'type'");
  if (typeof header.id !== "number" || !Number.isSafeInteger(header.id) || header.id < 0) {
    throw new AgentProtocolError("frame header has no integer 'id'");
  }
  return header as FrameHeader;
}

/**
 * Where a fresh connection may start mid-frame (a virtio-serial port can hand a new host
 * the tail of output the guest wrote for the previous one), the decoder can start
 * unsynchronised: it then discards bytes until a frame whose header begins with `marker`
 * (the agent's hello: its greeting, or the reply to a hello request) and is strict after it.
 */
export interface FrameSync {
  marker: string;
}

/** The agent writes every header as {"type":...,"id":...}, so a hello starts like this. */
export const HELLO_SYNC: FrameSync = { marker: '{"type":"hello","id":' };

/**
 * Streaming decoder: feed it bytes as they arrive, in chunks of any size, and it returns
 * every frame completed so far. A frame over the limits is a protocol error (the stream
 * cannot be trusted after it), so it throws and the caller drops the channel.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly marker: Buffer | undefined;
  private synced: boolean;
  /** Bytes thrown away while looking for the sync marker. */
  discardedBytes = 0;

  constructor(
    private readonly limits: FrameLimits = DEFAULT_FRAME_LIMITS,
    sync?: FrameSync,
  ) {
    this.marker = sync ? Buffer.from(sync.marker, "utf8") : undefined;
    this.synced = !sync;
  }

  /** False until the sync frame has been seen (always true without sync). */
  get isSynced(): boolean {
    return this.synced;
  }

  /** Bytes received that do not yet form a whole frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    if (!this.synced) {
      const first = this.seekSync();
      if (!first) return frames;
      frames.push(first);
    }
    for (;;) {
      if (this.buffered < FRAME_PREFIX_BYTES) break;
      const prefix = this.peek(FRAME_PREFIX_BYTES);
      const headerLen = prefix.readUInt32BE(0);
      const payloadLen = prefix.readUInt32BE(4);
      if (headerLen === 0 || headerLen > this.limits.maxHeaderBytes) {
        throw new AgentProtocolError(
          `frame header length ${headerLen} is outside 1..${this.limits.maxHeaderBytes} (stream out of sync?)`,
        );
      }
      if (payloadLen > this.limits.maxPayloadBytes) {
        throw new AgentProtocolError(`frame payload of ${payloadLen} bytes exceeds ${this.limits.maxPayloadBytes}`);
      }
      const total = FRAME_PREFIX_BYTES + headerLen + payloadLen;
      if (this.buffered < total) break;
      const bytes = this.take(total);
      const header = parseHeader(bytes.subarray(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + headerLen));
      frames.push({ header, payload: bytes.subarray(FRAME_PREFIX_BYTES + headerLen) });
    }
    return frames;
  }

  /**
   * Looks for a frame whose header starts with the marker; drops what precedes it. Returns
   * that frame once complete, or undefined while more bytes are needed.
   */
  private seekSync(): Frame | undefined {
    const marker = this.marker!;
    for (;;) {
      const all = this.buffered ? this.peek(this.buffered) : Buffer.alloc(0);
      const at = all.indexOf(marker, FRAME_PREFIX_BYTES);
      if (at < 0) {
        // Keep a tail that may hold the start of a marker (and its prefix).
        const keep = Math.min(all.length, marker.length - 1 + FRAME_PREFIX_BYTES);
        this.discard(all.length - keep);
        return undefined;
      }
      const start = at - FRAME_PREFIX_BYTES;
      this.discard(start);
      const headerLen = all.readUInt32BE(start);
      const payloadLen = all.readUInt32BE(start + 4);
      if (headerLen <= this.limits.maxHeaderBytes && payloadLen <= this.limits.maxPayloadBytes) {
        const total = FRAME_PREFIX_BYTES + headerLen + payloadLen;
        if (this.buffered < total) return undefined;
        const bytes = this.peek(total);
        try {
          const header = parseHeader(bytes.subarray(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + headerLen));
          this.take(total);
          this.synced = true;
          return { header, payload: Buffer.from(bytes.subarray(FRAME_PREFIX_BYTES + headerLen)) };
        } catch {
          // Not a real frame: the marker appeared inside other bytes. Keep looking.
        }
      }
      this.discard(1);
    }
  }

  private discard(n: number): void {
    if (n <= 0) return;
    this.take(n);
    this.discardedBytes += n;
  }

  /** The first n buffered bytes, without consuming them. */
  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  /** Removes and returns the first n buffered bytes (one copy at most). */
  private take(n: number): Buffer {
    let out: Buffer;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }
}
