/**
 * What to say when a name does not resolve: the load error of a file that would have defined it, or the
 * registered names it was probably meant to be. Pure functions over the registry's report.
 */
import { compareStrings } from "../compare.js";
import fs from "node:fs";
import path from "node:path";
import type { DefinitionError } from "../errors.js";

/**
 * The load error of the file that most likely defines `name`: its file name is `name.md` (namespaces are
 * folders: `db:migrate` is `db/migrate.md`), or its front matter still says `name: <name>` even though the
 * file as a whole did not parse.
 */
export function loadErrorFor(name: string, errors: readonly DefinitionError[]): DefinitionError | undefined {
  const stem = name.split(":").join(path.sep);
  const byFile = errors.find((e) => fileOf(e)?.endsWith(`${path.sep}${stem}.md`));
  if (byFile) return byFile;
  const declared = new RegExp(`^name:\\s*["']?${escapeRegExp(name.split(":").at(-1)!)}["']?\\s*$`, "m");
  return errors.find((e) => {
    const file = fileOf(e);
    try {
      return file !== undefined && declared.test(fs.readFileSync(file, "utf8"));
    } catch {
      return false;
    }
  });
}

function fileOf(error: DefinitionError): string | undefined {
  const file = error.location.file;
  return file ? path.resolve(file) : undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Up to `max` known names close to `name`, closest first: the same after folding case and `_`/space to `-`,
 * within a small edit distance, or starting with what was typed.
 *
 * @example
 * closeNames("hello_world", ["hello-world", "deploy"]) // ["hello-world"]
 */
export function closeNames(name: string, known: readonly string[], max = 3): string[] {
  const typed = fold(name);
  const allowed = Math.max(2, Math.floor(typed.length / 3));
  const scored = [...new Set(known)]
    .map((candidate) => {
      const folded = fold(candidate);
      const distance = editDistance(typed, folded);
      const prefix = typed.length >= 3 && folded.startsWith(typed);
      return { candidate, score: prefix ? Math.min(distance, 1) : distance };
    })
    .filter((s) => s.score <= allowed);
  scored.sort((a, b) => a.score - b.score || compareStrings(a.candidate, b.candidate));
  return scored.slice(0, max).map((s) => s.candidate);
}

function fold(s: string): string {
  return s.toLowerCase().replace(/[_\s]+/g, "-");
}

/** Levenshtein distance (insert, delete, substitute: 1 each). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
