// `firebreak run|sh|commands|audit|policy|claude` in-process: bundled alone as CommonJS (dist/cli/frequent.cjs),
// which bin/firebreak.js loads with a V8 code cache made at build time.
import "./zod-jitless.js";
import { createFrequentProgram } from "./frequent-program.js";
import { runCli } from "./process-entry.js";
import { preferBaselineWasmCompiler } from "../policy/shell/syntax-tree.js";

preferBaselineWasmCompiler();

void runCli((deps) => createFrequentProgram(deps, process.argv[2]));
