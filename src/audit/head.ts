/**
 * The audit log's head: the count and last hash, stored apart from the log and replaced atomically after every
 * append. Deleting records from the end of the log keeps the chain intact; only a separately stored head shows it.
 * (A local user who can write the state directory can rewrite both consistently; only a copy kept elsewhere shows
 * that. Sending each head to the notification webhooks, as issue 11 suggests, is not implemented yet.)
 */
import fs from "node:fs";
import path from "node:path";
import { AuditError } from "../errors.js";

export const HEAD_FILE = "audit.head.json";

export interface AuditHead {
  /** seq of the last record (= the number of records). */
  seq: number;
  hash: string;
  time: string;
}

export function headPath(dir: string): string {
  return path.join(dir, HEAD_FILE);
}

/** The stored head, or undefined when there is none yet. */
export function readHead(dir: string): AuditHead | undefined {
  let text: string;
  try {
    text = fs.readFileSync(headPath(dir), "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new AuditError(`cannot read the audit head ${headPath(dir)}: ${(cause as Error).message}`, { cause });
  }
  try {
    const head = JSON.parse(text) as AuditHead;
    if (typeof head.seq === "number" && typeof head.hash === "string") return head;
  } catch {
    // reported below
  }
  throw new AuditError(`the audit head ${headPath(dir)} is not valid; run 'firebreak audit verify'`);
}

/** Replaces the head (temporary file, fsync, rename): a crash leaves the old head or the new one, never half. */
export function writeHead(dir: string, head: AuditHead): void {
  const tmp = `${headPath(dir)}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(head)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, headPath(dir));
}

/**
 * Compares the log's last record with the head. A head one record behind is what a crash between writing a record
 * and writing the head leaves, so it passes when it names that record; anything else is a problem.
 */
export function headProblem(head: AuditHead | undefined, records: readonly { seq: number; hash: string }[]): string | undefined {
  const last = records.at(-1);
  if (!head) return last ? "the head file is missing: records may have been removed from the end of the log" : undefined;
  if (!last) return head.seq > 0 ? `the log is empty but the head says ${head.seq} records: records were removed` : undefined;
  if (head.seq > last.seq) return `the log ends at seq ${last.seq} but the head says ${head.seq}: records were removed from the end`;
  if (head.seq === last.seq) return head.hash === last.hash ? undefined : `the last record (seq ${last.seq}) is not the one the head names: it was replaced`;
  if (head.seq === last.seq - 1 && records.at(-2)?.hash === head.hash) return undefined;
  return `the log has ${last.seq - head.seq} records after the head (seq ${head.seq}): they were added without updating it`;
}
