/**
 * Pathname expansion for backup targets: the parser keeps `*.txt` as a literal word, but
 * the shell will expand it, so the backup must see the files the shell will see.
 * Supports `*`, `?` and `[...]` per path component; hidden files only match patterns
 * that start with `.` (as in bash without dotglob).
 *
 * @example
 * await expandGlob("logs/*.txt", "/work/app") // ["/work/app/logs/a.txt", "/work/app/logs/b.txt"]
 */
import { readdir } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";

/** Upper bound on matches, so a pattern like `/**` cannot make the backup walk the disk. */
export const MAX_GLOB_MATCHES = 10_000;

export function hasGlob(word: string): boolean {
  return /[*?[]/.test(word);
}

function componentRegex(component: string): RegExp {
  let re = "";
  for (let i = 0; i < component.length; i++) {
    const c = component[i] as string;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = component.indexOf("]", i + 2);
      if (close === -1) {
        re += "\\[";
        continue;
      }
      let body = component.slice(i + 1, close);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/[\\\]]/g, "\\$&")}]`;
      i = close;
    } else re += c.replace(/[\\^$.+()[\]{}|]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

/** Absolute paths matching `pattern` (relative to `cwd`), sorted; empty if none match. */
export async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const absolute = isAbsolute(pattern);
  const parts = pattern.split("/").filter((p, i) => p !== "" || (i === 0 && absolute));
  let bases = [absolute ? "/" : resolve(cwd)];
  for (const part of absolute ? parts.slice(1) : parts) {
    if (!hasGlob(part)) {
      bases = bases.map((b) => join(b, part));
      continue;
    }
    const re = componentRegex(part);
    const next: string[] = [];
    for (const base of bases) {
      let names: string[];
      try {
        names = await readdir(base);
      } catch {
        continue;
      }
      for (const name of names) {
        if (name.startsWith(".") && !part.startsWith(".")) continue;
        if (re.test(name)) next.push(join(base, name));
        if (next.length > MAX_GLOB_MATCHES) return next.sort();
      }
    }
    bases = next;
  }
  return bases.sort();
}
