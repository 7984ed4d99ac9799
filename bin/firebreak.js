#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): the lean client path loads no ES module loader at all, which costs a
// CLI call more than its whole request to the daemon.
"use strict";

const argv = process.argv.slice(2);

// When a daemon runs (`firebreak serve`), these go through it with the small client bundle, which loads
// none of the engine; it returns undefined when there is no daemon, and the full CLI runs in-process.
const THROUGH_DAEMON = new Set(["run", "sh", "policy", "commands", "audit", "claude"]);

// A CLI invocation is short: when the shell parser is WebAssembly (no native tree-sitter binding for this
// platform), compile it with the baseline compiler only.
// Optimising it in the background (V8's tier-up) stalled the first file operations by 0.5-0.8 s on
// 2 cores, for a parser that then runs a handful of times (see docs/ARCHITECTURE.md). The long-lived
// processes (`serve`, and `mcp` serving an agent's session) parse a lot: they keep full optimisation.
const LONG_LIVED = new Set(["serve", "mcp"]);

async function main() {
  if (THROUGH_DAEMON.has(argv[0]) && process.env.FIREBREAK_DAEMON !== "off") {
    const status = await require("../dist/client.cjs").runClient(argv);
    if (status !== undefined) {
      process.exitCode = status;
      return;
    }
  }
  if (!process.env.FIREBREAK_WASM_TIER_UP && !LONG_LIVED.has(argv[0] ?? "")) require("node:v8").setFlagsFromString("--liftoff-only");
  // One bundled file (npm run build) loads in a fraction of the time of ~300 separate modules.
  await import("../dist/cli/main.js");
}

main();
