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

let baselineWasmCompiler = false;

/**
 * For a one-shot call (the frequent commands' entry, cli/frequent-main.ts): the grammar, if WebAssembly serves, is
 * compiled with V8's baseline compiler only. Optimising it in the background stalled the first file operations by
 * 0.5-0.8 s on 2 cores, for a parser that then runs a handful of times. Set here, only when WebAssembly is really
 * loaded: loading `node:v8` to set the flag costs a call ~4 ms. Long-lived processes keep full optimisation;
 * `FIREBREAK_WASM_TIER_UP=1` keeps it too.
 */
export function preferBaselineWasmCompiler(): void {
  baselineWasmCompiler = true;
}

// web-tree-sitter's module alone takes 8-18 ms to load: only when it parses.
async function loadWasm(): Promise<BashParser> {
  if (baselineWasmCompiler && !process.env.FIREBREAK_WASM_TIER_UP) (await import("node:v8")).setFlagsFromString("--liftoff-only");
  const { loadWasmParser } = await import("./tree-sitter-wasm.js");
  return loadWasmParser();
}
