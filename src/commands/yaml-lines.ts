/**
 * Line numbers of every key and value in a parsed YAML document, indexed once.
 * Looking each path up in the document (`doc.getIn` plus a scan of the parent's pairs) cost O(keys) per lookup, so a
 * definition with many unknown keys took O(n²): a 309 KB file made every `run` in that project take 22 s.
 */
import { type Document, isMap, isScalar, isSeq, type Node as YamlNode } from "yaml";

/** A path's first line: keys are joined with NUL (which YAML keys in these files cannot contain meaningfully). */
export type LineIndex = Map<string, number>;

/** A key given twice in one mapping (YAML's own `uniqueKeys` check compares every pair: quadratic). */
export interface DuplicateKey {
  key: string;
  line: number;
}

const pathKey = (path: readonly PropertyKey[]): string => path.map(String).join("\u0000");

/**
 * Walks the document once; for a map entry the line of its key is recorded (that is where a reader looks).
 * Also finds the first key given twice in a mapping.
 * @example const { index } = indexLines(doc, lineOf); lineAt(index, ["parameters", 0, "name"])
 */
export function indexLines(doc: Document, lineOf: (offset: number) => number): { index: LineIndex; duplicate?: DuplicateKey } {
  const index: LineIndex = new Map();
  let duplicate: DuplicateKey | undefined;
  const visit = (node: unknown, path: PropertyKey[]): void => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (range && !index.has(pathKey(path))) index.set(pathKey(path), lineOf(range[0]));
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        const keyRange = (pair.key as YamlNode | null)?.range;
        if (seen.has(key) && !duplicate) duplicate = { key: String(key), line: keyRange ? lineOf(keyRange[0]) : 0 };
        seen.add(key);
        if (typeof key !== "string" && typeof key !== "number") continue;
        const childPath = [...path, key];
        if (keyRange) index.set(pathKey(childPath), lineOf(keyRange[0]));
        visit(pair.value, childPath);
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) visit(item, [...path, i]);
    }
  };
  visit(doc.contents, []);
  return duplicate ? { index, duplicate } : { index };
}

/** The line of `path`, or of its nearest ancestor that has one. */
export function lineAt(index: LineIndex, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const line = index.get(pathKey(path.slice(0, n)));
    if (line !== undefined) return line;
  }
  return undefined;
}
