import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ChangesError } from "../errors.js";
import { hostStateOf, sameHostState } from "./host-state.js";
import { parentProblem, symlinkTargetProblem, unsafeNameProblem } from "./path-safety.js";
import type { ChangesetStore } from "./store.js";
import type { ApplyReport, ChangeEntry, Changeset } from "./types.js";

export interface ApplyOptions {
  /** Write protected paths too (the caller has asked for confirmation). */
  includeProtected?: boolean;
  /** Apply only these entries (e.g. the artifacts); default: all not yet applied. */
  only?: (entry: ChangeEntry) => boolean;
  /** Saves what is about to be overwritten or deleted; returns the backup's id (null when nothing needed saving). */
  backup: (absPaths: string[]) => Promise<string | null>;
  now?: () => Date;
}

/**
 * Applies a changeset to its workspace, file by file: each write goes to a temporary name in the same directory and is
 * renamed into place (a reader never sees half a file), after its content is checked against the recorded sha256. A
 * host path that changed since the copy-in is a conflict and is left alone; protected paths need `includeProtected`;
 * what is overwritten or deleted is saved first through `backup`. The report is appended to the changeset.
 */
export async function applyChangeset(store: ChangesetStore, cs: Changeset, options: ApplyOptions): Promise<ApplyReport> {
  if (cs.status === "discarded") throw new ChangesError(`changeset ${cs.id} was discarded; there is nothing to apply`);
  const root = cs.workspace;
  if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new ChangesError(`changeset ${cs.id}: its workspace ${root} is gone`);
  const done = new Set(cs.applications.flatMap((a) => a.applied));
  const report: ApplyReport = { at: (options.now?.() ?? new Date()).toISOString(), applied: [], conflicts: [], refused: [], backupId: null };
  const todo: ChangeEntry[] = [];
  for (const e of cs.entries) {
    if (done.has(e.path) || (options.only && !options.only(e))) continue;
    const refusal = refusalOf(root, e, options.includeProtected === true);
    if (refusal) report.refused.push({ path: e.path, reason: refusal });
    else {
      const conflict = conflictOf(root, e);
      if (conflict) report.conflicts.push({ path: e.path, reason: conflict });
      else todo.push(e);
    }
  }
  const replaced = todo.filter((e) => e.base && e.base.type !== "dir").map((e) => path.join(root, e.path));
  if (replaced.length) report.backupId = await options.backup(replaced);

  for (const e of orderForApply(todo)) {
    try {
      writeEntry(store, cs, root, e);
      report.applied.push(e.path);
    } catch (error) {
      report.conflicts.push({ path: e.path, reason: (error as Error).message });
    }
  }
  cs.applications.push(report);
  const applied = new Set(cs.applications.flatMap((a) => a.applied));
  cs.status = cs.entries.every((e) => applied.has(e.path)) ? "applied" : applied.size > 0 ? "partial" : cs.status;
  store.save(cs);
  return report;
}

function refusalOf(root: string, e: ChangeEntry, includeProtected: boolean): string | undefined {
  const unsafe = unsafeNameProblem(e.path);
  if (unsafe) return unsafe;
  if (e.protected && !includeProtected) return "protected path: written only with --include-protected and a confirmation";
  if (e.type === "symlink" && e.kind !== "deleted") {
    const link = symlinkTargetProblem(e.path, e.target ?? "");
    if (link) return `a symlink: ${link}`;
  }
  return parentProblem(root, path.join(root, e.path));
}

function conflictOf(root: string, e: ChangeEntry): string | undefined {
  const now = hostStateOf(path.join(root, e.path));
  if (e.base === null) {
    if (now === null) return e.kind === "deleted" ? "already gone on the host" : undefined;
    if (e.type === "dir" && now.type === "dir") return undefined; // the directory exists already: nothing to do
    return "it was created on the host since the copy-in; not overwritten";
  }
  if (now === null) return "it was deleted on the host since the copy-in";
  if (!sameHostState(now, e.base)) return "it changed on the host since the copy-in; not overwritten";
  return undefined;
}

/** New directories first (shallow to deep), then files, links and modes, deletions last (deep to shallow). */
function orderForApply(entries: ChangeEntry[]): ChangeEntry[] {
  const depth = (e: ChangeEntry) => e.path.split("/").length;
  const dirsAdded = entries.filter((e) => e.type === "dir" && e.kind === "added").sort((a, b) => depth(a) - depth(b));
  const writes = entries.filter((e) => e.kind !== "deleted" && !(e.type === "dir" && e.kind === "added"));
  const deletions = entries.filter((e) => e.kind === "deleted").sort((a, b) => depth(b) - depth(a));
  return [...dirsAdded, ...writes, ...deletions];
}

function writeEntry(store: ChangesetStore, cs: Changeset, root: string, e: ChangeEntry): void {
  const abs = path.join(root, e.path);
  if (e.kind === "deleted") {
    if (e.type === "dir") {
      try {
        fs.rmdirSync(abs);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOTEMPTY") throw new Error("the directory is not empty on the host; left in place");
        throw error;
      }
    } else fs.unlinkSync(abs);
    return;
  }
  if (e.modeOnly) {
    fs.chmodSync(abs, e.mode ?? 0o644);
    return;
  }
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  if (e.type === "dir") {
    const existing = hostStateOf(abs);
    if (existing?.type === "dir") return; // already there (made on the host, or never copied in): left as it is
    if (existing) fs.unlinkSync(abs); // a file became a directory
    fs.mkdirSync(abs, { mode: e.mode ?? 0o755 });
    fs.chmodSync(abs, e.mode ?? 0o755);
    return;
  }
  if (e.base?.type === "dir") fs.rmdirSync(abs); // a directory became a file or link (only when empty)
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.firebreak-apply-${randomBytes(4).toString("hex")}`);
  try {
    if (e.type === "symlink") fs.symlinkSync(e.target ?? "", tmp);
    else {
      if (!e.sha256) throw new Error("the changeset holds no content for it");
      fs.copyFileSync(store.blobPath(cs, e.sha256), tmp, fs.constants.COPYFILE_EXCL);
      if (createHash("sha256").update(fs.readFileSync(tmp)).digest("hex") !== e.sha256) throw new Error("its stored content is corrupt (sha256 mismatch); not applied");
      fs.chmodSync(tmp, e.mode ?? 0o644);
    }
    fs.renameSync(tmp, abs);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
