/** The WebAssembly backend of `BashParser`: web-tree-sitter with tree-sitter-bash's .wasm grammar. */
import { Language, Parser } from "web-tree-sitter";
import type { Node as TsNode } from "web-tree-sitter";
import { type BashParser, type ErrorScanNode, type SyntaxNode, bashWasmPath, collectErrors, emptyRoot } from "./syntax-node.js";

export async function loadWasmParser(): Promise<BashParser> {
  await Parser.init();
  const language = await Language.load(bashWasmPath());
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    backend: "wasm",
    parse(source: string) {
      const tree = parser.parse(source);
      if (!tree) return { root: emptyRoot(source), errors: ["parser returned no tree"], errorOffsets: [0] };
      try {
        const rootNode = tree.rootNode;
        const { errors, errorOffsets } = rootNode.hasError ? collectErrors(rootNode as unknown as ErrorScanNode, source) : { errors: [], errorOffsets: [] };
        return { root: copyNode(rootNode), errors, errorOffsets };
      } finally {
        tree.delete(); // WASM memory is not garbage collected
      }
    },
  };
}

function copyNode(node: TsNode): SyntaxNode {
  const children = node.childCount === 0 ? [] : node.children.map((c) => copyNode(c as TsNode));
  return { type: node.type, named: node.isNamed, start: node.startIndex, end: node.endIndex, children };
}
