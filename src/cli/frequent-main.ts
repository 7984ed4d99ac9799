// `firebreak run|sh|commands|audit|policy|claude` in-process: bundled alone as CommonJS (dist/cli/frequent.cjs),
// which bin/firebreak.js loads with a V8 code cache made at build time.
import { z } from "zod";
import { createFrequentProgram } from "./frequent-program.js";
import { runCli } from "./process-entry.js";

// One short process validates the configuration once: zod's JIT (a parser generated and compiled per schema, which
// no code cache can keep) took ~28 ms of that first validation here, its plain path ~12 ms. The daemon keeps the JIT.
z.config({ jitless: true });

void runCli(createFrequentProgram);
