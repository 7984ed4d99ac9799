/**
 * Invisible characters (NBSP, zero-width joiners, bidi marks…) are refused in a line because they make code look like
 * something else. Inside quotes they are only data: `--name 'a\u200db'` is one word whatever it looks like. This
 * decides, from the parse, whether every invisible character of a line stands in quoted literal text.
 */
import { invisibleCharacterOffsets } from "./characters.js";
import type { SyntaxNode } from "./syntax-tree.js";

/** Node types whose text is literal quoted data. */
const QUOTED_TEXT = new Set(["raw_string", "string_content"]);

/**
 * True when the line has invisible characters and each one is inside single quotes or the literal part of double
 * quotes, and none is in a command name (a quoted name is still a name: `'rm\u200b'` is not `rm`).
 * @example invisibleOnlyInQuotes(parse("echo 'a\u00a0b'"), "echo 'a\u00a0b'") // true
 */
export function invisibleOnlyInQuotes(root: SyntaxNode, line: string): boolean {
  const offsets = invisibleCharacterOffsets(line);
  return offsets.length > 0 && offsets.every((offset) => quotedAt(root, offset));
}

function quotedAt(root: SyntaxNode, offset: number): boolean {
  let node: SyntaxNode | undefined = root;
  let quoted = false;
  while (node) {
    if (node.type === "command_name" || node.type === "ERROR") return false;
    if (QUOTED_TEXT.has(node.type)) quoted = true;
    node = node.children.find((c) => c.start <= offset && offset < c.end);
  }
  return quoted;
}
