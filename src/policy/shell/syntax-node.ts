/** The plain syntax tree both tree-sitter backends produce, and what they share to build it. */
import { createRequire } from "node:module";

/** A syntax node copied out of tree-sitter: indices are JS string indices into the source. */
export interface SyntaxNode {
  type: string;
  named: boolean;
  start: number;
  end: number;
  children: SyntaxNode[];
}

/** One parse: the tree, plus ERROR/MISSING nodes as "kind at offset: text" and where each starts. */
export interface ParseResult {
  root: SyntaxNode;
  errors: string[];
  errorOffsets: number[];
}

/** Parser for bash source text, producing plain syntax trees. */
export interface BashParser {
  /** Which tree-sitter runtime parses: both give the same trees (a differential test holds them to it). */
  readonly backend: ParserBackend;
  /**
   * Parses `source`; `errors` lists ERROR/MISSING nodes as "kind at offset: text", and `errorOffsets` where each
   * starts (for callers that must know whether a problem lies before a given position).
   */
  parse(source: string): ParseResult;
}

export type ParserBackend = "native" | "wasm";

/** The part of a tree-sitter node (native or WASM) that error collection reads. */
export interface ErrorScanNode {
  readonly type: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly isError: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  readonly children: readonly (ErrorScanNode | null)[];
}

export function emptyRoot(source: string): SyntaxNode {
  return { type: "program", named: true, start: 0, end: source.length, children: [] };
}

const MAX_ERROR_TEXT_CHARS = 40;

/** ERROR and MISSING nodes of a tree that has errors, in the form `BashParser.parse` reports them. */
export function collectErrors(root: ErrorScanNode, source: string): { errors: string[]; errorOffsets: number[] } {
  const errors: string[] = [];
  const errorOffsets: number[] = [];
  const stack: ErrorScanNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as ErrorScanNode;
    if (node.isError || node.isMissing) {
      const kind = node.isMissing ? `missing '${node.type}'` : "syntax error";
      const text = source.slice(node.startIndex, node.endIndex).slice(0, MAX_ERROR_TEXT_CHARS);
      errors.push(`${kind} at offset ${node.startIndex}${text ? `: ${JSON.stringify(text)}` : ""}`);
      errorOffsets.push(node.startIndex);
      continue;
    }
    if (node.hasError) for (const child of node.children) if (child) stack.push(child);
  }
  return errors.length > 0 ? { errors, errorOffsets } : { errors: ["syntax error"], errorOffsets: [0] };
}

/** Path of the tree-sitter-bash WebAssembly grammar, resolvable from src (tsx/vitest) and from dist. */
export function bashWasmPath(): string {
  return createRequire(import.meta.url).resolve("tree-sitter-bash/tree-sitter-bash.wasm");
}
