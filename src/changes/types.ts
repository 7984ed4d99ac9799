/** What a microVM run changed in its copy of the workspace, kept until it is applied to the host or discarded. */

/** A workspace path's state on the host when it was copied into the VM; absent paths have none. */
export interface HostState {
  type: "file" | "dir" | "symlink" | "other";
  mode: number;
  size: number;
  /** Nanoseconds as decimal strings (JSON has no bigint); with `ino`, a write on the host always shows. */
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
}

export interface ChangeEntry {
  /** Relative to the workspace, `/`-separated. */
  path: string;
  kind: "added" | "modified" | "deleted";
  /** The new type (for deletions: the type that was there). */
  type: "file" | "dir" | "symlink";
  /** New permission bits (not for deletions). */
  mode?: number;
  /** New size of a file. */
  size?: number;
  /** sha256 of a file's new content, stored as `blobs/<sha256>`. */
  sha256?: string;
  /** A symlink's new target (always inside the workspace). */
  target?: string;
  /** Only the mode changed. */
  modeOnly?: boolean;
  /** The path's state on the host at copy-in (null: it did not exist there). */
  base: HostState | null;
  /** Under .git/, .firebreak/, a firebreak.toml or a configured protected path: applied only with an explicit flag. */
  protected?: boolean;
  /** Matches the command's `artifacts`: applied without asking (unless apply_changes is "never"). */
  artifact?: boolean;
}

export type ApplyMode = "ask" | "auto" | "never";

export interface Changeset {
  version: 1;
  id: string;
  createdAt: string;
  /** The invocation that made it (the audit record's id). */
  invocationId: string;
  /** The command's name, or the shell line. */
  command: string;
  /** The host directory that was copied in; changes apply here. */
  workspace: string;
  status: "pending" | "applied" | "partial" | "discarded";
  entries: ChangeEntry[];
  /** Guest paths left out, and why (unsafe names, special files, over the size cap). */
  skipped: { path: string; reason: string }[];
  /** What applying did, once it happened (appended each time: a partial apply can be retried). */
  applications: ApplyReport[];
}

export interface ApplyReport {
  at: string;
  applied: string[];
  conflicts: { path: string; reason: string }[];
  /** Protected paths not written (no explicit flag), and entries refused for safety. */
  refused: { path: string; reason: string }[];
  /** The backup holding what the apply overwrote or deleted (`firebreak backup restore <id>` undoes it). */
  backupId: string | null;
}

export interface ChangesetSummary {
  id: string;
  createdAt: string;
  command: string;
  workspace: string;
  status: Changeset["status"];
  added: number;
  modified: number;
  deleted: number;
  protected: number;
}

/** The counts a list line shows. */
export function summarize(cs: Changeset): ChangesetSummary {
  const count = (k: ChangeEntry["kind"]) => cs.entries.filter((e) => e.kind === k).length;
  return {
    id: cs.id,
    createdAt: cs.createdAt,
    command: cs.command,
    workspace: cs.workspace,
    status: cs.status,
    added: count("added"),
    modified: count("modified"),
    deleted: count("deleted"),
    protected: cs.entries.filter((e) => e.protected).length,
  };
}
