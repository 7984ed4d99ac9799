/**
 * Intent records: before a command runs, the audit log says it is about to run, and a marker file names the process.
 * If firebreak is stopped by a signal mid-command, an exit handler records the run as cancelled; if it is killed
 * outright (SIGKILL, power loss), the marker stays, and the next append finds its process gone and records the run
 * as interrupted. So every run that started has an ending on record.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { onFirebreakExit } from "../exec/reaper.js";
import { type AuditLog, redactParameters } from "./log.js";
import type { AuditEntry } from "./types.js";

/** What the intent needs to know about the run (an engine Plan has all of it). */
export interface IntentSubject {
  id: string;
  user: string;
  role: string;
  rendered?: string;
  parameters: Record<string, unknown>;
  decision: { placement: AuditEntry["placement"]; risk: string };
  definition?: { qualifiedName: string; source: { sha256: string }; parameters: readonly { name: string; secret: boolean }[] };
}

/** The marker of an open intent: enough to tell whether its process is still the one running it. */
export interface IntentMarker {
  id: string;
  pid: number;
  /** The process's start time (clock ticks since boot): a reused pid has another. */
  pidStart: string | undefined;
  entry: AuditEntry;
}

export interface RunIntent {
  /** The run ended normally (its own record follows): forget the intent. */
  close(): void;
}

export function intentDir(audit: AuditLog): string {
  return path.join(audit.dir, "open");
}

/**
 * Records the intent and arms the cancelled record for a signal exit.
 * @example const intent = await openRunIntent(ctx.audit, plan); try { run } finally { intent?.close(); }
 */
export async function openRunIntent(audit: AuditLog | null, subject: IntentSubject): Promise<RunIntent | undefined> {
  if (!audit) return undefined;
  const entry: AuditEntry = {
    kind: "intent",
    id: subject.id,
    user: subject.user,
    role: subject.role,
    command: subject.definition?.qualifiedName ?? null,
    definition_sha256: subject.definition?.source.sha256 ?? null,
    parameters: redactParameters(subject.parameters, subject.definition?.parameters.filter((p) => p.secret).map((p) => p.name) ?? []),
    rendered: subject.rendered ?? null,
    placement: subject.decision.placement,
    risk: subject.decision.risk,
    reasons: [],
    extra: { pid: process.pid },
  };
  await audit.append(entry);
  const marker = path.join(intentDir(audit), `${subject.id}.json`);
  fs.mkdirSync(path.dirname(marker), { recursive: true, mode: 0o700 });
  const content: IntentMarker = { id: subject.id, pid: process.pid, pidStart: processStart(process.pid), entry };
  fs.writeFileSync(marker, JSON.stringify(content), { mode: 0o600 });
  let open = true;
  const unregister = onFirebreakExit(() => {
    if (!open) return;
    open = false;
    audit.appendSync(endingEntry(entry, "cancelled", "firebreak was stopped by a signal while the command ran; the command was killed"));
    fs.rmSync(marker, { force: true });
  });
  return {
    close() {
      if (!open) return;
      open = false;
      unregister();
      fs.rmSync(marker, { force: true });
    },
  };
}

/**
 * The markers whose process is gone: their runs were interrupted. Called by the audit log under its lock.
 * Returns the entries to append and removes the markers.
 */
export function collectInterrupted(dir: string): AuditEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch {
    return [];
  }
  const endings: AuditEntry[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let marker: IntentMarker;
    try {
      marker = JSON.parse(fs.readFileSync(file, "utf8")) as IntentMarker;
    } catch {
      continue; // half-written by a process that is still writing it, or junk: not ours to judge
    }
    if (processStart(marker.pid) !== undefined && processStart(marker.pid) === marker.pidStart) continue; // still running
    endings.push(endingEntry(marker.entry, "interrupted", `firebreak (pid ${marker.pid}) ended without recording how the run ended (killed, or the machine stopped)`));
    fs.rmSync(file, { force: true });
  }
  return endings;
}

function endingEntry(intent: AuditEntry, kind: "cancelled" | "interrupted", reason: string): AuditEntry {
  return { ...intent, kind, reasons: [reason], exit_status: null, extra: { ...intent.extra, recorded_by: process.pid, host: os.hostname() } };
}

/** Field 22 of /proc/<pid>/stat, or undefined when the process does not exist. */
function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}
