// The full CLI (every sub-command); bin/firebreak.js loads cli/frequent-main.ts instead for the frequent ones.
import { runCli } from "./process-entry.js";
import { createProgram } from "./program.js";

await runCli(createProgram);
