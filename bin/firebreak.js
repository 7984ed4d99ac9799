#!/usr/bin/env node
// A CLI invocation is short: compile the shell parser's WebAssembly with the baseline compiler only.
// Optimising it in the background (V8's tier-up) stalled the first file operations by 0.5-0.8 s on
// 2 cores, for a parser that then runs a handful of times (see docs/ARCHITECTURE.md).
import v8 from "node:v8";

if (!process.env.FIREBREAK_WASM_TIER_UP) v8.setFlagsFromString("--liftoff-only");
// One bundled file (npm run build) loads in a fraction of the time of ~300 separate modules.
await import("../dist/firebreak.mjs");
