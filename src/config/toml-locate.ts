/**
 * Finds the 1-based line where a key path is set in TOML text, so validation errors can name
 * file and line. A heuristic over the text (smol-toml keeps no positions): it tracks the current
 * `[table]` header and matches `key =` lines, and handles dotted keys and inline subtables.
 */
export function locateTomlKey(text: string, keyPath: readonly (string | number)[]): number | undefined {
  const path = keyPath.filter((k): k is string => typeof k === "string");
  if (path.length === 0) return undefined;
  const lines = text.split(/\r?\n/);
  let table: string[] = [];
  let best: { line: number; depth: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
    if (header) {
      table = splitDotted(header[1] ?? "");
      const depth = commonPrefix(table, path);
      if (depth === table.length && (!best || depth > best.depth)) best = { line: i + 1, depth };
      continue;
    }
    const kv = /^([^=]+?)\s*=/.exec(line);
    if (!kv) continue;
    const full = [...table, ...splitDotted(kv[1] ?? "")];
    const depth = commonPrefix(full, path);
    if (depth === full.length && (!best || depth >= best.depth)) best = { line: i + 1, depth };
  }
  return best?.line;
}

function splitDotted(key: string): string[] {
  return key.split(".").map((part) => part.trim().replace(/^["']|["']$/g, ""));
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
