import { installSignalExit } from "../exec/reaper.js";
import { contextFactory } from "./deps.js";
import { EXIT, exitCodeFor, isCommanderError } from "./exit-codes.js";
import { paint, processOutput } from "./output.js";
import { createProgram } from "./program.js";
import { ConfigError, DefinitionError, FirebreakError } from "../errors.js";

// Ctrl-C or SIGTERM end firebreak through process.exit, so running commands and microVMs are cleaned up.
installSignalExit();

// A closed pipe (`firebreak … | head`) ends the program quietly, as other CLI tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/** The entry point: the only place that maps errors to exit codes and prints them. */
async function main(argv: string[]): Promise<number> {
  const output = processOutput();
  const base = { output, cwd: process.cwd(), env: process.env, isTTY: Boolean(process.stdin.isTTY && process.stderr.isTTY) };
  const deps = { ...base, context: contextFactory(base) };
  try {
    await createProgram(deps).parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.OK;
  } catch (error) {
    const code = exitCodeFor(error);
    if (isCommanderError(error)) return code; // commander already printed its message
    if (error instanceof FirebreakError) {
      output.err(`${paint(output, "red", "firebreak")}: ${error.message}`);
      if ("reasons" in error && Array.isArray(error.reasons)) for (const r of error.reasons) output.err(`  - ${r}`);
      if ("usage" in error && error.usage) output.err(`usage: ${String(error.usage)}`);
      if (error instanceof ConfigError || error instanceof DefinitionError) output.err("(configuration error)");
    } else {
      output.err(`firebreak: internal error: ${(error as Error)?.stack ?? String(error)}`);
    }
    return code;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
