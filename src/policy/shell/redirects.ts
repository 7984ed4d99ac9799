/**
 * Redirections of a simple command: file redirects, heredocs and here-strings, with the
 * data the analysis needs when a shell reads its program from them (`bash <<EOF`).
 */
import type { SyntaxNode } from "./syntax-tree.js";
import type { Redirect } from "./types.js";
import { normaliseWord } from "./words.js";

/** What a heredoc or here-string feeds to the command's stdin. */
export interface StdinText {
  kind: "heredoc" | "herestring";
  /** The text as the command receives it (for heredocs with expansions: the raw body). */
  text: string;
  /** Contains expansions that happen at run time. */
  dynamic: boolean;
}

/** The parsed redirects of one command plus their by-products. */
export interface ParsedRedirects {
  redirects: Redirect[];
  stdin?: StdinText;
  /** Words the grammar attached to a redirect but that are really arguments (`echo > f x`). */
  extraArguments: SyntaxNode[];
  /** Statements the grammar nested inside a heredoc redirect (`cat <<EOF | sh`, `cat <<EOF && ls`). */
  continuations: SyntaxNode[];
  /** Backtick command texts inside unquoted heredoc bodies (the grammar leaves them unparsed). */
  backtickCode: string[];
}

/** Node types that are redirects. */
export const REDIRECT_TYPES: ReadonlySet<string> = new Set(["file_redirect", "heredoc_redirect", "herestring_redirect"]);
const HEREDOC_TOKENS = new Set(["heredoc_start", "heredoc_body", "heredoc_end", "heredoc_content"]);
const BACKTICK_RE = /`((?:[^`\\]|\\.)*)`/g;

/**
 * Parses redirect nodes in order.
 * @example parseRedirects([node of "2>> log"], src).redirects // [{ op: ">>", fd: 2, target: "log" }]
 */
export function parseRedirects(nodes: SyntaxNode[], source: string): ParsedRedirects {
  const out: ParsedRedirects = { redirects: [], extraArguments: [], continuations: [], backtickCode: [] };
  for (const node of nodes) {
    if (node.type === "file_redirect") fileRedirect(node, source, out);
    else if (node.type === "heredoc_redirect") heredocRedirect(node, source, out);
    else if (node.type === "herestring_redirect") herestringRedirect(node, source, out);
  }
  return out;
}

function fileRedirect(node: SyntaxNode, source: string, out: ParsedRedirects): void {
  let fd: number | undefined;
  let op = "";
  const destinations: SyntaxNode[] = [];
  for (const child of node.children) {
    if (child.type === "file_descriptor") fd = Number(source.slice(child.start, child.end));
    else if (!child.named && op === "") op = source.slice(child.start, child.end);
    else if (child.named && child.type !== "comment") destinations.push(child);
  }
  const [destination, ...extra] = destinations;
  const redirect: Redirect = { op };
  if (fd !== undefined) redirect.fd = fd;
  if (destination) {
    const [word] = normaliseWord([destination], source);
    if (word && !word.dynamic) redirect.target = word.value;
  }
  out.redirects.push(redirect);
  out.extraArguments.push(...extra);
}

function heredocRedirect(node: SyntaxNode, source: string, out: ParsedRedirects): void {
  let op = "<<";
  let quoted = false;
  for (const child of node.children) {
    const text = source.slice(child.start, child.end);
    if (!child.named && (text === "<<" || text === "<<-")) op = text;
    else if (child.type === "heredoc_start") quoted = /['"\\]/.test(text);
    else if (child.type === "heredoc_body") out.stdin = heredocBody(child, source, quoted, out);
    else if (child.type === "file_redirect") fileRedirect(child, source, out);
    else if (child.named && !HEREDOC_TOKENS.has(child.type)) out.continuations.push(child);
  }
  out.redirects.push({ op });
}

function heredocBody(body: SyntaxNode, source: string, quoted: boolean, out: ParsedRedirects): StdinText {
  const text = source.slice(body.start, body.end);
  if (quoted) return { kind: "heredoc", text, dynamic: false };
  let dynamic = body.children.some((c) => c.named && c.type !== "heredoc_content");
  for (const child of body.children) {
    if (child.type !== "heredoc_content") continue;
    for (const match of source.slice(child.start, child.end).matchAll(BACKTICK_RE)) {
      out.backtickCode.push((match[1] ?? "").replace(/\\(.)/g, "$1"));
      dynamic = true;
    }
  }
  return { kind: "heredoc", text, dynamic };
}

function herestringRedirect(node: SyntaxNode, source: string, out: ParsedRedirects): void {
  const wordNodes = node.children.filter((c) => c.named);
  const words = normaliseWord(wordNodes, source);
  const text = words.map((w) => w.value).join(" ");
  out.stdin = { kind: "herestring", text, dynamic: words.some((w) => w.dynamic) };
  out.redirects.push({ op: "<<<" });
}
