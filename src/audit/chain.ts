import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);
const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;

/**
 * Serialises a record (without `hash`) and seals it: the hash is sha256 of the exact bytes of
 * the record without the hash field, and it is appended as the last field. Verification strips
 * that suffix and re-hashes the same bytes, so key order and number formatting never matter.
 */
export function sealRecord(record: Record<string, unknown>): { line: string; hash: string } {
  const body = JSON.stringify(record);
  const hash = createHash("sha256").update(body).digest("hex");
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}`, hash };
}

/** Recomputes a stored line's hash; undefined if the line has no well-formed hash suffix. */
export function checkLine(line: string): { stored: string; computed: string } | undefined {
  const m = HASH_SUFFIX.exec(line);
  if (!m) return undefined;
  const body = `${line.slice(0, m.index)}}`;
  return { stored: m[1]!, computed: createHash("sha256").update(body).digest("hex") };
}
