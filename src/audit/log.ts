import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AuditError } from "../errors.js";
import { lockFile, lockFileSync, tryLockSync } from "../file-lock.js";
import { checkLine, GENESIS_HASH, sealRecord } from "./chain.js";
import { headProblem, readHead, writeHead } from "./head.js";
import { redactDeep } from "./redact.js";
import { collectInterrupted } from "./intent.js";
import { repairTornTail, type TornTail } from "./repair.js";
import type { AuditEntry, AuditRecord, VerifyReport } from "./types.js";

export const AUDIT_FILE = "audit.jsonl";
const TAIL_CHUNK_BYTES = 64 * 1024;
const LOCK_STALE_MS = 10_000;

/**
 * Append-only JSONL audit log with a hash chain. Appends from concurrent processes are
 * serialised by a lock file, so records never interleave and the chain stays linear.
 *
 * @example
 * const log = new AuditLog(path.join(stateDir, "audit"));
 * await log.append({ kind: "run", ... });
 * log.verify().ok // true
 */
export class AuditLog {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = path.join(dir, AUDIT_FILE);
  }

  async append(entry: AuditEntry): Promise<AuditRecord> {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.closeSync(fs.openSync(this.file, "a"));
    let release: () => unknown;
    try {
      // Uncontended (nearly always), the lock is taken at once, without a trip through the thread pool; only when
      // another process holds it does the append wait, asynchronously, with retries.
      release = tryLockSync(this.file) ?? (await lockFile(this.file, { stale: LOCK_STALE_MS, retries: { retries: 400, minTimeout: 2, maxTimeout: 50, randomize: true }, realpath: false }));
    } catch (cause) {
      throw new AuditError(`cannot lock the audit log ${this.file}: ${(cause as Error).message}`, { cause });
    }
    try {
      // A crash mid-append left half a line: move it aside and say so in the chain before appending.
      const torn = repairTornTail(this.file);
      let last = this.lastRecord();
      if (torn) last = this.writeRecord(repairEntry(torn), last);
      for (const ending of collectInterrupted(path.join(this.dir, "open"))) last = this.writeRecord(redactDeep(ending), last);
      // Secret values can be anywhere in an entry (rendered script, reasons, hook annotations), not only in parameters.
      const record = this.writeRecord(redactDeep(entry), last);
      writeHead(this.dir, { seq: record.seq, hash: record.hash, time: record.time });
      return record;
    } finally {
      await release();
    }
  }

  /**
   * Appends synchronously, for exit handlers (a process leaving on a signal cannot wait for promises). Takes the
   * same lock, retrying for up to ~2 s.
   */
  appendSync(entry: AuditEntry): void {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.closeSync(fs.openSync(this.file, "a"));
    let release: () => void;
    try {
      release = lockFileSync(this.file, { staleMs: LOCK_STALE_MS, timeoutMs: 2_000, retryMs: 20 });
    } catch (cause) {
      throw new AuditError(`cannot lock the audit log ${this.file}: ${(cause as Error).message}`, { cause });
    }
    try {
      const torn = repairTornTail(this.file);
      let last = this.lastRecord();
      if (torn) last = this.writeRecord(repairEntry(torn), last);
      const record = this.writeRecord(redactDeep(entry), last);
      writeHead(this.dir, { seq: record.seq, hash: record.hash, time: record.time });
    } finally {
      release();
    }
  }

  /** Seals and appends one record after `last`; the caller holds the lock. */
  private writeRecord(entry: AuditEntry, last: AuditRecord | undefined): AuditRecord {
    const record = {
      v: 1 as const,
      seq: last ? last.seq + 1 : 1,
      time: new Date().toISOString(),
      ...entry,
      prev_hash: last?.hash ?? GENESIS_HASH,
    };
    const { line, hash } = sealRecord(record);
    // One write of one buffer with O_APPEND: a reader never sees half a record from us.
    const fd = fs.openSync(this.file, "a");
    try {
      fs.writeSync(fd, `${line}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return { ...record, hash };
  }

  /** The last `n` records (fewer if the log is shorter). */
  tail(n: number): AuditRecord[] {
    const lines = this.readLines({ dropTornTail: true });
    const start = Math.max(0, lines.length - n);
    return lines.slice(start).map((l, i) => this.parse(l, start + i + 1));
  }

  /** Walks the whole chain; reports the first broken or missing link. */
  verify(): VerifyReport {
    const lines = this.readLines();
    let prevHash = GENESIS_HASH;
    let prevSeq = 0;
    let beforePrevHash = GENESIS_HASH;
    for (let i = 0; i < lines.length; i++) {
      const lineNo = i + 1;
      const line = lines[i]!;
      let record: AuditRecord;
      try {
        record = JSON.parse(line) as AuditRecord;
      } catch {
        return { ok: false, records: i, problem: { line: lineNo, message: "not valid JSON (torn or edited record)" } };
      }
      const check = checkLine(line);
      if (!check) return { ok: false, records: i, problem: { line: lineNo, seq: record.seq, message: "record has no hash" } };
      if (check.stored !== check.computed) {
        return { ok: false, records: i, problem: { line: lineNo, seq: record.seq, message: "hash mismatch: the record was modified" } };
      }
      if (record.prev_hash !== prevHash) {
        return {
          ok: false,
          records: i,
          problem: { line: lineNo, seq: record.seq, message: "prev_hash does not match the previous record: a record is missing or out of order" },
        };
      }
      if (record.seq !== prevSeq + 1) {
        return { ok: false, records: i, problem: { line: lineNo, seq: record.seq, message: `sequence jumps from ${prevSeq} to ${record.seq}` } };
      }
      beforePrevHash = prevHash;
      prevHash = record.hash;
      prevSeq = record.seq;
    }
    const problem = headProblem(readHead(this.dir), prevSeq === 0 ? [] : [{ seq: prevSeq - 1, hash: beforePrevHash }, { seq: prevSeq, hash: prevHash }]);
    if (problem) return { ok: false, records: lines.length, problem: { line: lines.length, seq: prevSeq || undefined, message: problem } };
    return { ok: true, records: lines.length };
  }

  /** The log's lines; with `dropTornTail`, a cut-off last line (no newline, not JSON) is left out. */
  private readLines(options: { dropTornTail?: boolean } = {}): string[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw new AuditError(`cannot read the audit log ${this.file}: ${(cause as Error).message}`, { cause });
    }
    const lines = text.split("\n").filter((l) => l.length > 0);
    if (options.dropTornTail && !text.endsWith("\n") && lines.length > 0 && !isJson(lines.at(-1) as string)) lines.pop();
    return lines;
  }

  private parse(line: string, lineNo: number): AuditRecord {
    try {
      return JSON.parse(line) as AuditRecord;
    } catch (cause) {
      throw new AuditError(`${this.file}:${lineNo}: not valid JSON`, { cause });
    }
  }

  /** Reads backwards from the end until one whole line is found. */
  private lastRecord(): AuditRecord | undefined {
    const fd = fs.openSync(this.file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      let end = size;
      let buf = Buffer.alloc(0);
      while (end > 0) {
        const start = Math.max(0, end - TAIL_CHUNK_BYTES);
        const chunk = Buffer.alloc(end - start);
        fs.readSync(fd, chunk, 0, chunk.length, start);
        buf = Buffer.concat([chunk, buf]);
        end = start;
        const text = buf.toString("utf8").replace(/\n+$/, "");
        const nl = text.lastIndexOf("\n");
        if (nl !== -1 || end === 0) {
          const line = text.slice(nl + 1);
          if (!line) return undefined;
          try {
            return JSON.parse(line) as AuditRecord;
          } catch (cause) {
            throw new AuditError(`${this.file}: the last record is not valid JSON; run 'firebreak audit verify'`, { cause });
          }
        }
      }
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  }
}


function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** The record that puts a torn tail's repair on the chain. */
function repairEntry(torn: TornTail): AuditEntry {
  return {
    kind: "repair",
    id: randomUUID(),
    user: os.userInfo().username,
    role: "-",
    command: null,
    definition_sha256: null,
    parameters: {},
    rendered: null,
    placement: "none",
    risk: "low",
    reasons: [`the log ended in a torn record (${torn.bytes} bytes, a crash mid-append); moved aside to ${torn.file}`],
    extra: { torn_file: torn.file, torn_bytes: torn.bytes, torn_sha256: torn.sha256 },
  };
}

/** Replaces the values of secret parameters before anything is written. */
export function redactParameters(values: Record<string, unknown>, secretNames: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) out[k] = secretNames.includes(k) ? "[redacted]" : v;
  return out;
}
