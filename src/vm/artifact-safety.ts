/**
 * Where a guest's artifacts may land on the host. The guest is not trusted: a broad `artifacts` pattern once let it
 * write `.git/hooks/pre-commit` and `.firebreak/commands/planted.md` (which `firebreak run planted` then ran on the
 * host). Each refusal names the file and why; the other files are still handled.
 */
import fs from "node:fs";
import path from "node:path";

/** Path components a guest may never write under, at any depth: git metadata and firebreak's own project files. */
const PROTECTED_DIRS = new Set([".git", ".firebreak"]);
const PROTECTED_FILES = new Set(["firebreak.toml"]);
/** Control characters (a newline in a name broke the listing once) and invisible ones make a name unsafe to show or use. */
const UNSAFE_NAME_RE = /[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/u;

/**
 * Why a guest file name (relative, `/`-separated) must not be written under `root`, or undefined.
 * `isProtected` matches the configured `[vm] artifact_protect` patterns.
 */
export function artifactNameProblem(name: string, isProtected: (relPath: string) => boolean): string | undefined {
  if (UNSAFE_NAME_RE.test(name)) return "the name contains control or invisible characters";
  const parts = name.split("/");
  if (parts.some((p) => p === "" || p === "." || p === "..")) return "the name is not a plain relative path";
  const lower = parts.map((p) => p.toLowerCase()); // case-insensitive file systems see .GIT as .git
  if (lower.slice(0, -1).some((p) => PROTECTED_DIRS.has(p)) || PROTECTED_DIRS.has(lower.at(-1) as string)) return "it would write into .git/ or .firebreak/ (protected)";
  if (PROTECTED_FILES.has(lower.at(-1) as string)) return "it would write a firebreak.toml (protected)";
  if (isProtected(name)) return "it matches [vm] artifact_protect";
  return undefined;
}

/**
 * Why the host path is unsafe to create, or undefined: it (or a parent) exists as anything — a dangling symlink
 * included — other than directories that stay inside root.
 */
export function hostTargetProblem(root: string, target: string): string | undefined {
  const realRoot = fs.realpathSync(root);
  if (!target.startsWith(root + path.sep)) return "it would land outside the working directory";
  if (lexists(target)) return "it exists on the host (or is a symlink there); not overwritten";
  let dir = path.dirname(target);
  while (!lexists(dir)) dir = path.dirname(dir);
  const stat = fs.lstatSync(dir);
  if (stat.isSymbolicLink()) {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      return `a parent on the host is a dangling symlink (${path.relative(root, dir)})`;
    }
    if (!(real === realRoot || real.startsWith(realRoot + path.sep))) return "a parent on the host is a symlink leading outside the working directory";
    if (!fs.statSync(real).isDirectory()) return `a parent on the host is not a directory (${path.relative(root, dir)})`;
  } else if (!stat.isDirectory()) return `a parent on the host is not a directory (${path.relative(root, dir)})`;
  const real = fs.realpathSync(dir);
  if (!(real === realRoot || real.startsWith(realRoot + path.sep))) return "it would land outside the working directory";
  return undefined;
}

function lexists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
