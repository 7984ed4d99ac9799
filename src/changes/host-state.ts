import fs from "node:fs";
import path from "node:path";
import type { HostState } from "./types.js";

/**
 * The state of every path under `root` the copy-in takes (names matching `exclude` at any depth are left out, as
 * tar's `--exclude` does), taken just before the copy. Applying a change later compares the host path against it:
 * anything written on the host since then is a conflict, never overwritten.
 */
export function snapshotHost(root: string, exclude: readonly string[]): Map<string, HostState> {
  const isExcluded = componentMatcher(exclude);
  const out = new Map<string, HostState>();
  const walk = (dir: string, rel: string) => {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of names) {
      if (isExcluded(d.name)) continue;
      const relPath = rel ? `${rel}/${d.name}` : d.name;
      const abs = path.join(dir, d.name);
      const state = hostStateOf(abs);
      if (!state) continue;
      out.set(relPath, state);
      if (state.type === "dir") walk(abs, relPath);
    }
  };
  walk(root, "");
  return out;
}

/** A host path's lstat as a `HostState`, or null when it does not exist. */
export function hostStateOf(abs: string): HostState | null {
  let st: fs.BigIntStats;
  try {
    st = fs.lstatSync(abs, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return null;
    throw error;
  }
  const type = st.isFile() ? "file" : st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : "other";
  return { type, mode: Number(st.mode & 0o7777n), size: Number(st.size), mtimeNs: String(st.mtimeNs), ctimeNs: String(st.ctimeNs), ino: String(st.ino) };
}

/** Same file as at copy-in: a directory is the same while it is still a directory (entries inside are checked one by one). */
export function sameHostState(a: HostState | null, b: HostState | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.type !== b.type) return false;
  if (a.type === "dir") return true;
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino && a.mode === b.mode;
}

/** True when a path component matches one of tar-style exclude names (`*` and `?` within the name). */
export function componentMatcher(patterns: readonly string[]): (name: string) => boolean {
  const res = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s"));
  return (name) => res.some((r) => r.test(name));
}

/** True when any component of a relative path is excluded from the copy-in. */
export function isExcludedPath(relPath: string, isExcluded: (name: string) => boolean): boolean {
  return relPath.split("/").some(isExcluded);
}
