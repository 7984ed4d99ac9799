/**
 * A relayed CLI call's answer (`POST /v1/cli`, what the native launcher reads): a stream of frames, each one type
 * byte, a 4-byte big-endian payload length, then the payload. Fixed-size heads, so the launcher's C reads them
 * without a JSON parser.
 *
 * - `r` accepted: the daemon runs the call; from here on the launcher never runs it a second time in-process
 * - `o` / `e` bytes for stdout / stderr, in the order they were written
 * - `x` the exit status (payload: 4-byte big-endian signed integer); the last frame
 * - `f` not relayed (payload: why): nothing ran, the launcher starts the Node CLI instead; the only frame
 */
export const CLI_FRAMES = "application/vnd.firebreak.cli-frames";

export type FrameType = "r" | "o" | "e" | "x" | "f";

/** A launcher refuses a frame longer than this (launcher/firebreak.c MAX_FRAME_BYTES); output is split below it. */
export const MAX_FRAME_BYTES = 1 << 20;

const HEAD_BYTES = 5;

/** One frame's bytes; stdout and stderr payloads longer than MAX_FRAME_BYTES become several frames. */
export function encodeFrame(type: FrameType, payload: Buffer | string = ""): Buffer {
  const bytes = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  if (bytes.length > MAX_FRAME_BYTES) {
    const parts: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += MAX_FRAME_BYTES) parts.push(encodeFrame(type, bytes.subarray(at, at + MAX_FRAME_BYTES)));
    return Buffer.concat(parts);
  }
  const frame = Buffer.allocUnsafe(HEAD_BYTES + bytes.length);
  frame.write(type, 0, "latin1");
  frame.writeUInt32BE(bytes.length, 1);
  bytes.copy(frame, HEAD_BYTES);
  return frame;
}

/** The last frame: the call's exit status. */
export function exitFrame(status: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeInt32BE(status);
  return encodeFrame("x", payload);
}

/**
 * Frames back from bytes (tests, and any other reader of the endpoint); a truncated last frame is left out.
 *
 * @example
 * decodeFrames(Buffer.concat([encodeFrame("r"), encodeFrame("o", "hi\n"), exitFrame(0)]))
 * // [{ type: "r", payload: <>, }, { type: "o", payload: <hi\n> }, { type: "x", payload: <00 00 00 00> }]
 */
export function decodeFrames(bytes: Buffer): { type: FrameType; payload: Buffer }[] {
  const frames: { type: FrameType; payload: Buffer }[] = [];
  for (let at = 0; at + HEAD_BYTES <= bytes.length; ) {
    const length = bytes.readUInt32BE(at + 1);
    if (at + HEAD_BYTES + length > bytes.length) break;
    frames.push({ type: bytes.toString("latin1", at, at + 1) as FrameType, payload: bytes.subarray(at + HEAD_BYTES, at + HEAD_BYTES + length) });
    at += HEAD_BYTES + length;
  }
  return frames;
}
