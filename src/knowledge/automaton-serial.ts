/**
 * An automaton as plain JSON, for the knowledge-graph cache: typed arrays as base64, the alphabet as `[unit, class]`
 * pairs, and a digest of the patterns it was built from, so it is only ever used for exactly those patterns.
 */
import { createHash } from "node:crypto";
import { Automaton, type AutomatonParts } from "./automaton.js";

const SERIALIZED_FORMAT = "firebreak-automaton/1";

export interface SerializedAutomaton {
  format: string;
  /** sha256 of the patterns it was built from, in order. */
  patterns: string;
  K: number;
  denseStateCount: number;
  alphabet: number[];
  childStart: string;
  nodeClass: string;
  fail: string;
  depth: string;
  own: string;
  out: string;
  dense: string;
  patternLength: string;
}

function patternsDigest(patterns: readonly string[]): string {
  const hash = createHash("sha256");
  for (const p of patterns) hash.update(p).update("\0");
  return hash.digest("hex");
}

const base64 = (a: Int32Array | Uint16Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

function typed<T extends Int32Array | Uint16Array>(text: string, Kind: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }): T {
  const bytes = Buffer.from(text, "base64");
  if (bytes.length % Kind.BYTES_PER_ELEMENT) throw new RangeError("truncated array");
  return new Kind(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
}

/**
 * @example const again = restoreAutomaton(JSON.parse(JSON.stringify(serializeAutomaton(a, patterns))), patterns);
 */
export function serializeAutomaton(automaton: Automaton, patterns: readonly string[]): SerializedAutomaton {
  const p = automaton.parts();
  const alphabet: number[] = [];
  for (let u = 0; u < 0x10000; u++) if (p.classOf[u]) alphabet.push(u, p.classOf[u]!);
  return {
    format: SERIALIZED_FORMAT,
    patterns: patternsDigest(patterns),
    K: p.K,
    denseStateCount: p.denseStateCount,
    alphabet,
    childStart: base64(p.childStart),
    nodeClass: base64(p.nodeClass),
    fail: base64(p.fail),
    depth: base64(p.depth),
    own: base64(p.own),
    out: base64(p.out),
    dense: base64(p.dense),
    patternLength: base64(p.patternLength),
  };
}

/**
 * The automaton `serializeAutomaton()` gave, if it was built from exactly these patterns (their digest) and its
 * sizes are consistent; undefined otherwise, and the caller builds it again.
 */
export function restoreAutomaton(s: SerializedAutomaton | undefined, patterns: readonly string[]): Automaton | undefined {
  if (!s || s.format !== SERIALIZED_FORMAT || !Number.isInteger(s.K) || !Array.isArray(s.alphabet)) return undefined;
  if (s.patterns !== patternsDigest(patterns)) return undefined;
  try {
    const classOf = new Uint16Array(0x10000);
    for (let i = 0; i + 1 < s.alphabet.length; i += 2) classOf[s.alphabet[i]!] = s.alphabet[i + 1]!;
    const parts: AutomatonParts = {
      classOf,
      K: s.K,
      childStart: typed(s.childStart, Int32Array),
      nodeClass: typed(s.nodeClass, Uint16Array),
      fail: typed(s.fail, Int32Array),
      depth: typed(s.depth, Int32Array),
      own: typed(s.own, Int32Array),
      out: typed(s.out, Int32Array),
      dense: typed(s.dense, Int32Array),
      denseStateCount: s.denseStateCount,
      patternLength: typed(s.patternLength, Int32Array),
    };
    const S = parts.fail.length;
    const consistent =
      parts.childStart.length === S + 1 &&
      [parts.nodeClass, parts.depth, parts.own, parts.out].every((a) => a.length === S) &&
      parts.dense.length === s.denseStateCount * s.K &&
      s.alphabet.length === 2 * (s.K - 1) &&
      parts.patternLength.length === patterns.length &&
      patterns.every((p, i) => parts.patternLength[i] === p.length);
    return consistent ? Automaton.fromParts(parts) : undefined;
  } catch {
    return undefined;
  }
}
