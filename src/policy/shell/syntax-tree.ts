/**
 * Loads tree-sitter-bash once and turns its trees into plain JS objects, from one of two backends that parse
 * with the same grammar: the native binding (`tree-sitter`, an optional dependency, prebuilt or compiled at install;
 * ~20 ms to load, sub-millisecond parses) or WebAssembly (`web-tree-sitter`; always present, 65-170 ms to
 * initialise on 2 cores). Native is used when it loads; `FIREBREAK_PARSER=wasm` forces WebAssembly.
 * Why plain objects: walking tree-sitter nodes crosses into native or WASM memory at every step; one copy
 * per parse and plain objects afterwards is several times faster for the walkers.
 */
import type { BashParser, ParserBackend } from "./syntax-node.js";
import { loadNativeParser } from "./tree-sitter-native.js";

export { bashWasmPath, type BashParser, type ParseResult, type ParserBackend, type SyntaxNode } from "./syntax-node.js";

let loading: Promise<BashParser> | undefined;

/**
 * Loads the grammar once per process; later calls share the same parser.
 * @example const parser = await loadBashParser(); parser.parse("ls -la").root.type === "program"
 */
export function loadBashParser(env: NodeJS.ProcessEnv = process.env): Promise<BashParser> {
  loading ??= createBashParser(env.FIREBREAK_PARSER === "wasm" ? "wasm" : "auto").catch((error: unknown) => {
    loading = undefined; // let a later call retry instead of caching the failure
    throw error;
  });
  return loading;
}

/**
 * A new parser from the named backend; "auto" is native when its binding loads, else WebAssembly.
 * @example (await createBashParser("wasm")).backend === "wasm"
 */
export async function createBashParser(backend: ParserBackend | "auto"): Promise<BashParser> {
  if (backend === "wasm") return loadWasm();
  const native = loadNativeParser();
  if (native.parser) return native.parser;
  if (backend === "native") throw new Error(`the native tree-sitter binding did not load: ${native.reason}`);
  return loadWasm();
}

// web-tree-sitter's module alone takes 8-18 ms to load: only when it parses.
async function loadWasm(): Promise<BashParser> {
  const { loadWasmParser } = await import("./tree-sitter-wasm.js");
  return loadWasmParser();
}
