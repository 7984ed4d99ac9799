/**
 * Torn-tail repair. A crash (or a full disk) in the middle of an append leaves the last line cut in half; every later
 * append then failed after the command had run, and `audit tail` failed too. Under the append lock, a torn tail is
 * moved aside to its own file and the log is cut back to its last whole record; the caller then appends a repair
 * record naming the file, so the chain continues and the loss is on record.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { checkLine } from "./chain.js";

export interface TornTail {
  /** Where the torn bytes were moved. */
  file: string;
  bytes: number;
  sha256: string;
}

/**
 * Repairs `file` if its end is not a whole record; returns what was moved aside, or undefined when the end is whole.
 * A last line that is complete except for its newline just gets the newline.
 */
export function repairTornTail(file: string, now: Date = new Date()): TornTail | undefined {
  const fd = fs.openSync(file, "r+");
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return undefined;
    const start = lastLineStart(fd, size);
    const tail = Buffer.alloc(size - start);
    fs.readSync(fd, tail, 0, tail.length, start);
    const text = tail.toString("utf8");
    if (text.endsWith("\n")) return undefined;
    const check = checkLine(text);
    if (check && check.stored === check.computed) {
      fs.writeSync(fd, "\n", size);
      fs.fsyncSync(fd);
      return undefined;
    }
    const aside = `${file}.torn-${now.toISOString().replace(/[:.]/g, "-")}`;
    fs.writeFileSync(aside, tail, { mode: 0o600, flag: "wx" });
    fs.ftruncateSync(fd, start);
    fs.fsyncSync(fd);
    return { file: aside, bytes: tail.length, sha256: createHash("sha256").update(tail).digest("hex") };
  } finally {
    fs.closeSync(fd);
  }
}

const CHUNK = 64 * 1024;

/** Offset just after the last newline before `size` (0 if there is none). */
function lastLineStart(fd: number, size: number): number {
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const chunk = Buffer.alloc(end - start);
    fs.readSync(fd, chunk, 0, chunk.length, start);
    // A newline as the very last byte ends the last line; search before it.
    const limit = end === size ? chunk.length - 2 : chunk.length - 1;
    const nl = limit >= 0 ? chunk.lastIndexOf(0x0a, limit) : -1;
    if (nl !== -1) return start + nl + 1;
    end = start;
  }
  return 0;
}
