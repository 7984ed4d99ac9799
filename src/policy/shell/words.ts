/**
 * Word normalisation: turns a word's syntax nodes into the strings bash would pass as argv,
 * resolving quotes, backslashes, `$'…'`, `$"…"` and brace expansion, and recording which
 * parts are only known at run time (variables, substitutions).
 */
import { decodeAnsiC } from "./ansi-c.js";
import { expandBraces } from "./braces.js";
import type { SyntaxNode } from "./syntax-tree.js";

/** One normalised word (brace expansion may turn one syntax word into several). */
export interface NormalisedWord {
  /** The value; dynamic parts keep their source text (`$HOME/x`). */
  value: string;
  dynamic: boolean;
  glob: boolean;
  /** References `$IFS` (word-splitting tricks). */
  usesIfs: boolean;
  /** Brace expansion produced too many words to list. */
  braceOverflow: boolean;
  /** Contains a NUL (from `$'\0'`): shells disagree on what the word is. */
  hasNul?: boolean;
}

/** A run of characters: quoted text is literal; dynamic text is only known at run time. */
export interface WordPart {
  text: string;
  quoted: boolean;
  dynamic: boolean;
}

const DYNAMIC_TYPES = new Set([
  "simple_expansion",
  "expansion",
  "command_substitution",
  "process_substitution",
  "arithmetic_expansion",
]);
const GLOB_RE = /[*?[]/;
const IFS_RE = /^\$\{?[#!]?IFS\b/;

/**
 * Normalises the syntax nodes of one word (a command name or an argument).
 * @example normaliseWord(nodes, "r''m") // [{ value: "rm", dynamic: false, ... }]
 */
export function normaliseWord(nodes: SyntaxNode[], source: string): NormalisedWord[] {
  const parts: WordPart[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as SyntaxNode;
    const next = nodes[i + 1];
    if (isTranslatedStringDollar(node, next)) continue; // `$"…"`: the `$` only marks a locale string
    collectParts(node, source, parts);
  }
  return finishWord(parts);
}

/** `$` immediately followed by a double-quoted string is the `$"…"` locale-translation form. */
export function isTranslatedStringDollar(node: SyntaxNode, next: SyntaxNode | undefined): boolean {
  return !node.named && node.type === "$" && next !== undefined && next.type === "string" && next.start === node.end;
}

function finishWord(parts: WordPart[]): NormalisedWord[] {
  const dynamic = parts.some((p) => p.dynamic);
  const usesIfs = parts.some((p) => p.dynamic && IFS_RE.test(p.text));
  const hasNul = parts.some((p) => p.text.includes("\u0000"));
  const expanded = expandBraces(parts);
  if (expanded === "overflow") {
    const value = parts.map((p) => p.text).join("");
    return [{ value, dynamic: true, glob: hasGlob(parts), usesIfs, braceOverflow: true, hasNul }];
  }
  return expanded.map((word) => ({
    value: word.map((p) => p.text).join(""),
    dynamic,
    glob: hasGlob(word),
    usesIfs,
    braceOverflow: false,
    hasNul,
  }));
}

function hasGlob(parts: WordPart[]): boolean {
  return parts.some((p) => !p.quoted && !p.dynamic && GLOB_RE.test(p.text));
}

function collectParts(node: SyntaxNode, source: string, out: WordPart[]): void {
  const text = source.slice(node.start, node.end);
  switch (node.type) {
    case "word":
      unquotedWithBackslashes(text, out);
      return;
    case "number":
    case "brace_expression":
      out.push({ text, quoted: false, dynamic: false });
      return;
    case "raw_string":
      out.push({ text: text.slice(1, -1), quoted: true, dynamic: false });
      return;
    case "ansi_c_string":
      out.push({ text: decodeAnsiC(text.slice(2, -1)), quoted: true, dynamic: false });
      return;
    case "string":
      doubleQuoted(node, source, out);
      return;
    case "translated_string":
    case "concatenation":
      for (let i = 0; i < node.children.length; i++) {
        const child = node.children[i] as SyntaxNode;
        if (isTranslatedStringDollar(child, node.children[i + 1])) continue;
        collectParts(child, source, out);
      }
      return;
    default:
      if (!node.named && node.type === "$") {
        out.push({ text: "$", quoted: false, dynamic: false });
        return;
      }
      // expansions, substitutions, and anything unexpected: only known at run time (fail closed)
      out.push({ text, quoted: false, dynamic: true });
  }
}

/** Unquoted text: `\c` makes c literal, backslash-newline disappears. */
function unquotedWithBackslashes(text: string, out: WordPart[]): void {
  if (!text.includes("\\")) {
    out.push({ text, quoted: false, dynamic: false });
    return;
  }
  let plain = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch !== "\\") {
      plain += ch;
      continue;
    }
    const next = text[i + 1];
    i += 1;
    if (next === undefined || next === "\n") continue;
    if (plain) out.push({ text: plain, quoted: false, dynamic: false });
    plain = "";
    out.push({ text: next, quoted: true, dynamic: false });
  }
  if (plain) out.push({ text: plain, quoted: false, dynamic: false });
}

/** Inside "…" a backslash only escapes $ ` " \ and newline. */
function doubleQuotedText(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === "\n" ? "" : c));
}

function doubleQuoted(node: SyntaxNode, source: string, out: WordPart[]): void {
  const innerStart = node.start + 1;
  const innerEnd = node.end - 1;
  let cursor = innerStart;
  for (const child of node.children) {
    if (child.start < innerStart || child.end > innerEnd) continue; // the quote tokens
    if (child.start > cursor) out.push({ text: doubleQuotedText(source.slice(cursor, child.start)), quoted: true, dynamic: false });
    const text = source.slice(child.start, child.end);
    if (child.type === "string_content") out.push({ text: doubleQuotedText(text), quoted: true, dynamic: false });
    else if (!child.named && child.type === "$") out.push({ text: "$", quoted: true, dynamic: false });
    else out.push({ text, quoted: true, dynamic: DYNAMIC_TYPES.has(child.type) || child.named });
    cursor = child.end;
  }
  if (innerEnd > cursor) out.push({ text: doubleQuotedText(source.slice(cursor, innerEnd)), quoted: true, dynamic: false });
}
