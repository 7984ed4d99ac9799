/**
 * Where a guest's changes may land on the host. The guest is not trusted: a broad artifact pattern once let it
 * write `.git/hooks/pre-commit` and `.firebreak/commands/planted.md` (which `firebreak run planted` then ran on the
 * host). Each refusal names the path and why; the other changes are still handled.
 */
import fs from "node:fs";
import path from "node:path";

/** Path components a guest may never write under, at any depth: git metadata and firebreak's own project files. */
const PROTECTED_DIRS = new Set([".git", ".firebreak"]);
const PROTECTED_FILES = new Set(["firebreak.toml"]);
/** Control characters (a newline in a name broke a listing once) and invisible ones make a name unsafe to show or use. */
const UNSAFE_NAME_RE = /[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/u;

/** Why a guest path (relative, `/`-separated) cannot be used on the host at all, or undefined. */
export function unsafeNameProblem(name: string): string | undefined {
  if (UNSAFE_NAME_RE.test(name)) return "the name contains control or invisible characters";
  if (name.split("/").some((p) => p === "" || p === "." || p === "..")) return "the name is not a plain relative path";
  return undefined;
}

/**
 * Why a path is protected (written only with an explicit flag and a confirmation), or undefined.
 * `isProtected` matches the configured `[vm] protected_paths` patterns.
 */
export function protectionOf(name: string, isProtected: (relPath: string) => boolean): string | undefined {
  const lower = name.split("/").map((p) => p.toLowerCase()); // case-insensitive file systems see .GIT as .git
  if (lower.slice(0, -1).some((p) => PROTECTED_DIRS.has(p)) || PROTECTED_DIRS.has(lower.at(-1) as string)) return "it is inside .git/ or .firebreak/ (protected)";
  if (PROTECTED_FILES.has(lower.at(-1) as string)) return "it is a firebreak.toml (protected)";
  if (isProtected(name)) return "it matches [vm] protected_paths";
  return undefined;
}

/**
 * Why a symlink the guest made must not be created: its target is absolute or climbs out of the workspace.
 *
 * @example
 * symlinkTargetProblem("docs/latest", "../releases/v2") // undefined
 * symlinkTargetProblem("docs/latest", "../../etc")      // "its target leaves the workspace"
 */
export function symlinkTargetProblem(name: string, target: string): string | undefined {
  if (target === "" || path.posix.isAbsolute(target)) return "its target is absolute (it could point anywhere on the host)";
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(name), target));
  if (resolved === ".." || resolved.startsWith("../")) return "its target leaves the workspace";
  return undefined;
}

/**
 * Why the parents of a host path are unsafe to write through, or undefined: every existing parent up to `root`
 * must be a real directory (no symlink, dangling or not) inside root.
 */
export function parentProblem(root: string, target: string): string | undefined {
  if (!target.startsWith(root + path.sep)) return "it would land outside the working directory";
  let dir = path.dirname(target);
  while (dir !== root && dir.startsWith(root + path.sep)) {
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(dir);
    } catch {
      st = undefined;
    }
    if (st?.isSymbolicLink()) return `a parent on the host is a symlink (${path.relative(root, dir)})`;
    if (st && !st.isDirectory()) return `a parent on the host is not a directory (${path.relative(root, dir)})`;
    dir = path.dirname(dir);
  }
  return undefined;
}

/**
 * A matcher for workspace path patterns (`artifacts`, `[vm] protected_paths`): relative paths with `*` (within one
 * path component), `**` (any depth) and `?`.
 *
 * @example
 * pathMatcher(["backup-*.tar.gz"])("backup-20261126.tar.gz") // true
 */
export function pathMatcher(patterns: readonly string[]): (relPath: string) => boolean {
  const regexes = patterns.map((p) => {
    let re = "";
    for (let i = 0; i < p.length; i++) {
      const c = p[i]!;
      if (c === "*" && p[i + 1] === "*") {
        re += ".*";
        i++;
        if (p[i + 1] === "/") i++;
      } else if (c === "*") re += "[^/]*";
      else if (c === "?") re += "[^/]";
      else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
    return new RegExp(`^${re}$`, "su");
  });
  return (relPath) => regexes.some((r) => r.test(relPath));
}
