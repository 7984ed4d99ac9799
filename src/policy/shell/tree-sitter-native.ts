/**
 * The native backend of `BashParser`: node-tree-sitter with tree-sitter-bash's binding (prebuilt, or compiled at
 * install where the prebuilt one does not load). Optional: when either does not load (not installed, no toolchain
 * at install, a Node ABI it was not built for), `reason` says why and the WebAssembly backend parses instead.
 */
import { createRequire } from "node:module";
import type NativeParser from "tree-sitter";
import { type BashParser, type ErrorScanNode, type SyntaxNode, collectErrors, emptyRoot } from "./syntax-node.js";

type Loaded = { parser: BashParser; reason?: undefined } | { parser?: undefined; reason: string };

export function loadNativeParser(): Loaded {
  let parser: NativeParser;
  try {
    const require = createRequire(import.meta.url);
    const Parser = require("tree-sitter") as typeof NativeParser & { SyntaxNode: unknown };
    const bash = require("tree-sitter-bash") as NativeParser.Language & { nodeSubclasses?: unknown };
    // setLanguage compiles a class per node type (`new Function`, ~5 ms of every CLI call) unless the language has
    // them already. They add only field getters (`node.nameNode`), which nothing here reads: every type gets the
    // base class, whose getters (type, children, hasError, ...) answer for any node.
    bash.nodeSubclasses ??= new Proxy([], { get: (list, key) => (typeof key === "string" && /^\d+$/.test(key) ? Parser.SyntaxNode : Reflect.get(list, key)) });
    parser = new Parser();
    parser.setLanguage(bash);
  } catch (error) {
    return { reason: (error as Error)?.message ?? String(error) };
  }
  return {
    parser: {
      backend: "native",
      parse(source: string) {
        const tree = parser.parse(source);
        if (!tree) return { root: emptyRoot(source), errors: ["parser returned no tree"], errorOffsets: [0] };
        const rootNode = tree.rootNode;
        const { errors, errorOffsets } = rootNode.hasError ? collectErrors(rootNode as unknown as ErrorScanNode, source) : { errors: [], errorOffsets: [] };
        return { root: copyTree(tree.walk()), errors, errorOffsets };
      },
    },
  };
}

// A cursor walk reads each node's fields without creating a JS object per tree-sitter node.
function copyTree(cursor: NativeParser.TreeCursor): SyntaxNode {
  const node: SyntaxNode = { type: cursor.nodeType, named: cursor.nodeIsNamed, start: cursor.startIndex, end: cursor.endIndex, children: [] };
  if (cursor.gotoFirstChild()) {
    do node.children.push(copyTree(cursor));
    while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  return node;
}
