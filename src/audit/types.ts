/** What a caller hands to the audit log for one invocation. */
export interface AuditEntry {
  /**
   * "run": executed; "refused": the pipeline said no; "dry_run": planned only; "repair": a torn tail was moved aside
   * (see repair.ts); "intent": about to run; "cancelled": killed before it finished (client gone, Ctrl-C, daemon stopping);
   * "interrupted": a run whose firebreak was killed and never got its own record (see intent.ts); "agent_tool": a tool
   * call an agent reported after it ran (Claude Code PostToolUse, see claude/hook.ts); "maintenance": a VM pool
   * maintenance operation and what it did; "alert": a pool alert started firing or cleared.
   */
  kind: "run" | "refused" | "dry_run" | "repair" | "intent" | "cancelled" | "interrupted" | "agent_tool" | "maintenance" | "alert";
  id: string;
  user: string;
  role: string;
  command: string | null;
  definition_sha256: string | null;
  /** Values of `secret: true` parameters are already redacted. */
  parameters: Record<string, unknown>;
  rendered: string | null;
  /** "none" for records that are about the log itself (repair). */
  placement: "local" | "vm" | "denied" | "none";
  risk: string;
  reasons: string[];
  concepts?: { matched: unknown[]; missing: string[]; in_script?: string[] };
  hooks?: unknown[];
  exit_status?: number | null;
  signal?: string | null;
  duration_ms?: number;
  stdout_bytes?: number;
  stderr_bytes?: number;
  /** Anything else a stage wants on record (hook annotations, VM id, ...). */
  extra?: Record<string, unknown>;
}

/** A stored record: the entry plus its place in the hash chain. */
export interface AuditRecord extends AuditEntry {
  v: 1;
  seq: number;
  time: string;
  prev_hash: string;
  hash: string;
}

export interface VerifyReport {
  ok: boolean;
  records: number;
  /** The first broken or missing link, if any. */
  problem?: { line: number; seq?: number; message: string };
}
