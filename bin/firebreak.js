#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): the lean client path loads no ES module loader at all, which costs a
// CLI call more than its whole request to the daemon.
"use strict";

const argv = process.argv.slice(2);

// The sub-commands an agent or a script calls many times a second. When a daemon runs (`firebreak serve`), they go
// through it with the small client bundle, which loads none of the engine; it returns undefined when there is no
// daemon. In-process, they run from dist/cli/frequent.cjs (only these sub-commands, precompiled); every other
// sub-command from the full CLI (dist/cli/main.js).
const FREQUENT = new Set(["run", "sh", "policy", "commands", "audit", "claude"]);

// A CLI invocation is short: when the shell parser is WebAssembly (no native tree-sitter binding for this
// platform), compile it with the baseline compiler only.
// Optimising it in the background (V8's tier-up) stalled the first file operations by 0.5-0.8 s on
// 2 cores, for a parser that then runs a handful of times (see docs/ARCHITECTURE.md). The long-lived
// processes (`serve`, and `mcp` serving an agent's session) parse a lot: they keep full optimisation.
const LONG_LIVED = new Set(["serve", "mcp"]);

async function main() {
  if (FREQUENT.has(argv[0]) && process.env.FIREBREAK_DAEMON !== "off") {
    const status = await require("../dist/client.cjs").runClient(argv);
    if (status !== undefined) {
      process.exitCode = status;
      return;
    }
  }
  // The frequent sub-commands set it themselves, only if WebAssembly loads (policy/shell/syntax-tree.ts):
  // loading node:v8 to set it costs a call ~4 ms.
  if (FREQUENT.has(argv[0])) return loadCompiled(require("node:path").join(__dirname, "..", "dist", "cli", "frequent.cjs"));
  if (!process.env.FIREBREAK_WASM_TIER_UP && !LONG_LIVED.has(argv[0] ?? "")) require("node:v8").setFlagsFromString("--liftoff-only");
  // One bundled file (npm run build) loads in a fraction of the time of ~300 separate modules.
  await import("../dist/cli/main.js");
}

/**
 * Runs a CommonJS bundle with the V8 code cache made for it at build time (`<file>.v8cache`), so the call does not
 * compile ~1 MB of JavaScript first. The cache is as trusted as the bundle (the same install, written by the build):
 * it is used only while the bundle's size and mtime are those it was made for, and V8 rejects one from another
 * Node or other flags. FIREBREAK_BUILD_CODE_CACHE=1 (the build) makes it at exit, after a real run.
 */
function loadCompiled(file) {
  const fs = require("node:fs");
  const vm = require("node:vm");
  const Module = require("node:module");
  const cacheFile = `${file}.v8cache`;
  const building = process.env.FIREBREAK_BUILD_CODE_CACHE === "1";
  const stat = fs.statSync(file);
  const stamp = `firebreak-code-cache ${stat.size} ${stat.mtimeMs}\n`;
  let cachedData;
  if (!building) {
    try {
      const cache = fs.readFileSync(cacheFile);
      if (cache.subarray(0, stamp.length).toString("latin1") === stamp) cachedData = cache.subarray(stamp.length);
    } catch {
      // no cache (not built, or removed): compile
    }
  }
  // The build makes the bundle ASCII (scripts/bundle.mjs): read as Latin-1 it is the same text, and a one-byte string,
  // which V8 hashes and scans faster than the two-byte string a single other character would make of it.
  const bytes = fs.readFileSync(file);
  const source = require("node:buffer").isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  // V8 keeps a cache only for the flags it was made with: a warm-up that loaded the WebAssembly parser (which sets
  // --liftoff-only on the way) must not leave that flag in it.
  const made = () => {
    require("node:v8").setFlagsFromString("--no-liftoff-only");
    return script.createCachedData();
  };
  if (building) process.once("exit", () => fs.writeFileSync(cacheFile, Buffer.concat([Buffer.from(stamp, "latin1"), made()])));
  const module = { exports: {}, filename: file, id: file };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, require("node:path").dirname(file));
}

main();
