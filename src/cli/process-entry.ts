import { getEventListeners } from "node:events";
import { isatty } from "node:tty"; // not process.stdin.isTTY: that sets up a stdin stream most calls never read
import type { Command } from "commander";
import { installSignalExit } from "../exec/reaper.js";
import { type CliDeps, contextFactory } from "./deps.js";
import { EXIT, exitCodeFor, isCommanderError } from "./exit-codes.js";
import { processOutput } from "./output.js";
import { FirebreakError } from "../errors.js";
import { errorDocument, errorText, wantsJson } from "./view/error-text.js";

/**
 * Runs a `firebreak` program on this process's argv and sets the exit status: the process-level part of the CLI
 * (signals, closed pipes, errors to exit codes), shared by the full program (main.ts) and the frequent one
 * (frequent-main.ts).
 */
export async function runCli(createProgram: (deps: CliDeps) => Command): Promise<void> {
  // Ctrl-C or SIGTERM first cancel the running command (killed, audited as cancelled), then end firebreak;
  // with no command running, a second signal, or a command that does not end within the grace period
  // (500 ms), firebreak exits at once.
  const stopping = new AbortController();
  const signalled = installSignalExit({
    onSignal: (signal) => {
      // Only a running command (something listening on the signal) is worth waiting for.
      if (getEventListeners(stopping.signal, "abort").length === 0) return false;
      stopping.abort(signal);
      return true;
    },
  });

  // A closed pipe (`firebreak … | head`) ends the program quietly, as other CLI tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }

  // `firebreak` alone on a terminal opens the interactive UI; without one it prints the help, as before.
  const argv = process.argv.slice(2);
  const interactive = argv.length === 0 && isatty(0) && isatty(1);
  const code = await main(interactive ? ["tui"] : argv, createProgram, stopping);
  process.exitCode = signalled.exitCode() ?? code;
}

/** The entry point: the only place that turns outcomes and errors into the process's exit status. */
async function main(argv: string[], createProgram: (deps: CliDeps) => Command, stopping: AbortController): Promise<number> {
  const output = processOutput();
  let status: number = EXIT.OK;
  const base = {
    output,
    cwd: process.cwd(),
    env: process.env,
    // Asked only by the sub-commands that may prompt: `node:tty` is not loaded for the others.
    get isTTY() {
      return isatty(0) && isatty(2);
    },
    signal: stopping.signal,
    setExitStatus: (s: number) => {
      status = s;
    },
  };
  const deps = Object.assign(base, { context: contextFactory(base) }); // not a spread, which would read isTTY
  try {
    await createProgram(deps).parseAsync(argv, { from: "user" });
    return status;
  } catch (error) {
    const code = exitCodeFor(error);
    if (isCommanderError(error)) return code; // commander already printed its message
    if (error instanceof FirebreakError) {
      const extra = error as FirebreakError & { reasons?: unknown; usage?: unknown };
      const view = { code: error.code, message: error.message, reasons: Array.isArray(extra.reasons) ? extra.reasons : undefined, usage: extra.usage ? String(extra.usage) : undefined };
      // With --json, stdout carries one document whatever happens: the error is that document.
      if (wantsJson(argv)) output.json(errorDocument({ ...view, exit_code: code }));
      else output.err(errorText(output, view));
    } else {
      if (wantsJson(argv)) output.json(errorDocument({ code: "internal", message: `internal error: ${(error as Error)?.message ?? String(error)}`, exit_code: code }));
      output.err(`firebreak: internal error: ${(error as Error)?.stack ?? String(error)}`);
    }
    return code;
  }
}
