/** The difference between two listings of the same directory tree: what a command changed. */

/** One path of a listing (the guest agent's `walk` entries have this shape). */
export interface ListedEntry {
  path: string;
  type: "file" | "dir" | "symlink" | "other";
  mode: number;
  size: number;
  ctimeNs: bigint;
  target?: string;
}

export interface ListingChange {
  path: string;
  kind: "added" | "modified" | "deleted";
  type: ListedEntry["type"];
  mode: number;
  size: number;
  target?: string;
  /** Only the permission bits changed (a directory's chmod; a file's is confirmed by content later). */
  modeOnly: boolean;
  /** A file whose new content must be fetched. */
  needsContent: boolean;
}

/**
 * Compares the listing taken right after the copy-in with the one taken after the command. `ctime` moves on every
 * write, chmod, rename or link, so an unchanged ctime with the same type, mode and size means untouched; a changed
 * ctime on a file means "fetch and compare" (the content may still be the same, e.g. after `touch`).
 * Directories count only when added, deleted or re-moded (their ctime moves whenever an entry inside does).
 *
 * @example
 * diffListings(before, after).map((c) => `${c.kind} ${c.path}`) // ["added out/report.txt", "deleted old.log"]
 */
export function diffListings(before: readonly ListedEntry[], after: readonly ListedEntry[]): ListingChange[] {
  const old = new Map(before.map((e) => [e.path, e]));
  const changes: ListingChange[] = [];
  const seen = new Set<string>();
  for (const now of after) {
    seen.add(now.path);
    const was = old.get(now.path);
    const base = { path: now.path, type: now.type, mode: now.mode, size: now.size, target: now.target };
    if (!was) {
      changes.push({ ...base, kind: "added", modeOnly: false, needsContent: now.type === "file" });
      continue;
    }
    if (was.type !== now.type) {
      changes.push({ ...base, kind: "modified", modeOnly: false, needsContent: now.type === "file" });
      continue;
    }
    const modeChanged = was.mode !== now.mode;
    if (now.type === "dir") {
      if (modeChanged) changes.push({ ...base, kind: "modified", modeOnly: true, needsContent: false });
    } else if (now.type === "symlink") {
      if (was.target !== now.target) changes.push({ ...base, kind: "modified", modeOnly: false, needsContent: false });
    } else if (was.ctimeNs !== now.ctimeNs || was.size !== now.size || modeChanged) {
      changes.push({ ...base, kind: "modified", modeOnly: false, needsContent: now.type === "file" });
    }
  }
  for (const was of before) {
    if (!seen.has(was.path)) changes.push({ path: was.path, kind: "deleted", type: was.type, mode: was.mode, size: was.size, target: was.target, modeOnly: false, needsContent: false });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
