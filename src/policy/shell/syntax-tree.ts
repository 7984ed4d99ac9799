/**
 * Loads tree-sitter-bash (WASM) once and turns its trees into plain JS objects.
 * Why plain objects: every `node.child(i)` call marshals through WASM memory; one
 * `children` call per node and plain objects afterwards is several times faster.
 */
import { createRequire } from "node:module";
import { Language, Parser } from "web-tree-sitter";
import type { Node as TsNode } from "web-tree-sitter";

/** A syntax node copied out of tree-sitter: indices are JS string indices into the source. */
export interface SyntaxNode {
  type: string;
  named: boolean;
  start: number;
  end: number;
  children: SyntaxNode[];
}

/** Parser for bash source text, producing plain syntax trees. */
export interface BashParser {
  /**
   * Parses `source`; `errors` lists ERROR/MISSING nodes as "kind at offset: text", and `errorOffsets` where each
   * starts (for callers that must know whether a problem lies before a given position).
   */
  parse(source: string): { root: SyntaxNode; errors: string[]; errorOffsets: number[] };
}

let loading: Promise<BashParser> | undefined;

/**
 * Loads the grammar once per process; later calls share the same parser.
 * @example const parser = await loadBashParser(); parser.parse("ls -la").root.type === "program"
 */
export function loadBashParser(): Promise<BashParser> {
  loading ??= createParser().catch((error: unknown) => {
    loading = undefined; // let a later call retry instead of caching the failure
    throw error;
  });
  return loading;
}

/** Path of the tree-sitter-bash grammar, resolvable from src (tsx/vitest) and from dist. */
export function bashWasmPath(): string {
  return createRequire(import.meta.url).resolve("tree-sitter-bash/tree-sitter-bash.wasm");
}

async function createParser(): Promise<BashParser> {
  await Parser.init();
  const language = await Language.load(bashWasmPath());
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    parse(source: string) {
      const tree = parser.parse(source);
      if (!tree) return { root: emptyRoot(source), errors: ["parser returned no tree"], errorOffsets: [0] };
      try {
        const rootNode = tree.rootNode;
        const { errors, errorOffsets } = rootNode.hasError ? collectErrors(rootNode, source) : { errors: [], errorOffsets: [] };
        return { root: copyNode(rootNode), errors, errorOffsets };
      } finally {
        tree.delete(); // WASM memory is not garbage collected
      }
    },
  };
}

function emptyRoot(source: string): SyntaxNode {
  return { type: "program", named: true, start: 0, end: source.length, children: [] };
}

function copyNode(node: TsNode): SyntaxNode {
  const children = node.childCount === 0 ? [] : node.children.map((c) => copyNode(c as TsNode));
  return { type: node.type, named: node.isNamed, start: node.startIndex, end: node.endIndex, children };
}

const MAX_ERROR_TEXT_CHARS = 40;

function collectErrors(root: TsNode, source: string): { errors: string[]; errorOffsets: number[] } {
  const errors: string[] = [];
  const errorOffsets: number[] = [];
  const stack: TsNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as TsNode;
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
