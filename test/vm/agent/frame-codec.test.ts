import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AgentProtocolError } from "../../../src/errors.js";
import { encodeFrame, FrameDecoder, type FrameHeader, HELLO_SYNC } from "../../../src/vm/agent/index.js";

const headerArb = fc.record({
  type: fc.constantFrom("exec", "output", "exit", "data", "ping"),
  id: fc.integer({ min: 0, max: 2 ** 53 - 1 }),
  text: fc.string({ unit: "grapheme", maxLength: 40 }),
  n: fc.integer(),
}) as fc.Arbitrary<FrameHeader>;

const frameArb = fc.record({ header: headerArb, payload: fc.uint8Array({ maxLength: 300 }) });

/** Cuts a buffer at the given (sorted, deduplicated) positions. */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    parts.push(buf.subarray(at, p));
    at = p;
  }
  parts.push(buf.subarray(at));
  return parts;
}

describe("frame codec", () => {
  it("round-trips one frame", () => {
    const payload = Buffer.from([0, 1, 2, 0, 255]);
    const frames = new FrameDecoder().push(encodeFrame({ type: "data", id: 7, eof: true }, payload));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.header).toEqual({ type: "data", id: 7, eof: true });
    expect(frames[0]!.payload.equals(payload)).toBe(true);
  });

  it("lays frames out as u32be header length, u32be payload length, JSON, payload", () => {
    const buf = encodeFrame({ type: "ping", id: 1 }, Buffer.from("xy"));
    const json = JSON.stringify({ type: "ping", id: 1 });
    expect(buf.readUInt32BE(0)).toBe(json.length);
    expect(buf.readUInt32BE(4)).toBe(2);
    expect(buf.subarray(8, 8 + json.length).toString()).toBe(json);
    expect(buf.subarray(8 + json.length).toString()).toBe("xy");
  });

  it("decodes any sequence of frames however the bytes are split", () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (frames, cuts) => {
        const wire = Buffer.concat(frames.map((f) => encodeFrame(f.header, f.payload)));
        const decoder = new FrameDecoder();
        const decoded = split(wire, cuts).flatMap((part) => decoder.push(part));
        expect(decoded.map((f) => f.header)).toEqual(frames.map((f) => f.header));
        expect(decoded.map((f) => f.payload)).toEqual(frames.map((f) => Buffer.from(f.payload)));
        expect(decoder.bufferedBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("decodes byte by byte", () => {
    const wire = Buffer.concat([encodeFrame({ type: "a", id: 1 }, Buffer.alloc(5, 9)), encodeFrame({ type: "b", id: 2 })]);
    const decoder = new FrameDecoder();
    const out = [...wire].flatMap((byte) => decoder.push(Buffer.from([byte])));
    expect(out.map((f) => f.header.type)).toEqual(["a", "b"]);
  });

  it("refuses to encode frames over the limits", () => {
    const limits = { maxHeaderBytes: 64, maxPayloadBytes: 16 };
    expect(() => encodeFrame({ type: "x", id: 1 }, Buffer.alloc(17), limits)).toThrow(AgentProtocolError);
    expect(() => encodeFrame({ type: "x".repeat(100), id: 1 }, undefined, limits)).toThrow(AgentProtocolError);
  });

  it("rejects an oversized frame as soon as its length prefix arrives", () => {
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32BE(10, 0);
    prefix.writeUInt32BE(17, 4);
    const decoder = new FrameDecoder({ maxHeaderBytes: 64, maxPayloadBytes: 16 });
    expect(() => decoder.push(prefix)).toThrow(/payload of 17 bytes exceeds 16/);
    const big = Buffer.alloc(8);
    big.writeUInt32BE(65, 0);
    expect(() => new FrameDecoder({ maxHeaderBytes: 64, maxPayloadBytes: 16 }).push(big)).toThrow(AgentProtocolError);
  });

  it("rejects headers that are not JSON objects with a type and an integer id", () => {
    const raw = (text: string) => {
      const json = Buffer.from(text);
      const prefix = Buffer.alloc(8);
      prefix.writeUInt32BE(json.length, 0);
      return Buffer.concat([prefix, json]);
    };
    for (const bad of ["{nope", "[1]", '{"type":"x"}', '{"id":1}', '{"type":"x","id":1.5}', '{"type":"x","id":-1}']) {
      expect(() => new FrameDecoder().push(raw(bad)), bad).toThrow(AgentProtocolError);
    }
    expect(() => new FrameDecoder().push(Buffer.alloc(8))).toThrow(/header length 0/);
  });

  describe("syncing on hello", () => {
    // As the agent writes it: type first, then id.
    const hello = encodeFrame({ type: "hello", id: 0, agent: "firebreak-agent" } as FrameHeader);

    it("drops whatever precedes the first hello, however it is split, then decodes strictly", () => {
      const garbageArb = fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        // the tail of a frame cut at a random point (what a previous host left behind)
        fc.tuple(frameArb, fc.nat()).map(([f, cut]) => {
          const bytes = encodeFrame(f.header, f.payload);
          return bytes.subarray(cut % bytes.length);
        }),
      );
      fc.assert(
        fc.property(garbageArb, fc.array(frameArb, { maxLength: 4 }), fc.array(fc.nat(), { maxLength: 10 }), (garbage, after, cuts) => {
          const wire = Buffer.concat([garbage, hello, ...after.map((f) => encodeFrame(f.header, f.payload))]);
          const decoder = new FrameDecoder(undefined, HELLO_SYNC);
          const decoded = split(wire, cuts).flatMap((part) => decoder.push(part));
          expect(decoded[0]?.header).toEqual({ type: "hello", id: 0, agent: "firebreak-agent" });
          expect(decoded.slice(1).map((f) => f.header)).toEqual(after.map((f) => f.header));
          expect(decoder.isSynced).toBe(true);
        }),
        { numRuns: 300 },
      );
    });

    it("skips a marker that is not the start of a valid frame", () => {
      const fake = Buffer.concat([Buffer.from([0, 0, 0, 5, 0, 0, 0, 0]), Buffer.from('{"type":"hello","id":broken')]);
      const decoder = new FrameDecoder(undefined, HELLO_SYNC);
      const frames = decoder.push(Buffer.concat([fake, hello]));
      expect(frames.map((f) => f.header.type)).toEqual(["hello"]);
      expect(decoder.discardedBytes).toBe(fake.length);
    });
  });
});
