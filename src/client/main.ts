/**
 * The lean CLI: when a daemon answers on the socket, `run`, `sh`, `claude hook`, `policy check`, `commands list|show` and
 * `audit tail|verify` go through it and print exactly what the in-process CLI prints. It loads neither
 * tree-sitter, nor the knowledge graph, nor the engine. `runClient` returns undefined when it did not
 * handle the invocation (not one of those, `--no-daemon`, FIREBREAK_DAEMON=off, no daemon or a stale
 * socket): the full CLI then runs in-process.
 */
import fs from "node:fs";
import { isatty } from "node:tty"; // not process.stdin.isTTY: that would set up a stdin stream the client never reads
import { FirebreakError } from "../errors.js";
import { type Output, processOutput } from "../cli/output.js";
import { errorDocument, errorText, wantsJson } from "../cli/view/error-text.js";
import { daemonPaths } from "../paths.js";
import { readStdinText } from "../claude/hook-input.js";
import { parseClientArgv } from "./argv.js";
import { type ClientContext, runThroughDaemon } from "./commands.js";
import { DaemonClient, isUnreachable } from "./daemon-client.js";

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export async function runClient(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  if (env.FIREBREAK_DAEMON === "off" || argv.includes("--no-daemon")) return undefined;
  const cmd = parseClientArgv(argv);
  if (!cmd) return undefined;
  const socket = daemonPaths(env).socket;
  if (!ownSocket(socket)) return undefined;
  const client = new DaemonClient(socket);
  const output = processOutput();
  const stopping = new AbortController();
  let signalled: number | undefined;
  // Ctrl-C drops the request; the daemon sees the client go and cancels (and audits) the run.
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = SIGNAL_EXIT[signal];
    stopping.abort();
    setTimeout(() => process.exit(signalled), 200).unref();
  };
  for (const signal of Object.keys(SIGNAL_EXIT)) process.once(signal as NodeJS.Signals, onSignal);
  try {
    // A getter: only a call that may prompt asks, and loading node:tty costs the others time.
    const terminal = {
      get isTTY() {
        return isatty(0) && isatty(2);
      },
    };
    const context: ClientContext = Object.assign(terminal, {
      client,
      output,
      cwd: process.cwd(),
      env,
      stderrIsTTY: Boolean(process.stderr.isTTY),
      write: { stdout: (b: Buffer | string) => process.stdout.write(b), stderr: (b: Buffer | string) => process.stderr.write(b) },
      stdinText: readStdinText,
      stdinLines,
      signal: stopping.signal,
    });
    return await runThroughDaemon(cmd, context);
  } catch (error) {
    if (signalled !== undefined) return signalled;
    // Until the daemon has answered once, any failure means "no usable daemon": run in-process instead.
    if (!client.answered && (isUnreachable(error) || error instanceof FirebreakError)) return undefined;
    return reportClientError(error, { argv, output, socket });
  } finally {
    client.close();
    for (const signal of Object.keys(SIGNAL_EXIT)) process.off(signal as NodeJS.Signals, onSignal);
  }
}

/** What a failed client call prints, and its exit status: as in-process for firebreak's errors, else the daemon failed. */
export function reportClientError(error: unknown, { argv, output, socket }: { argv: readonly string[]; output: Output; socket: string }): number {
  if (error instanceof FirebreakError) {
    const view = error as FirebreakError & { reasons?: string[]; usage?: string };
    if (wantsJson(argv)) output.json(errorDocument({ code: view.code, message: view.message, reasons: view.reasons, usage: view.usage, exit_code: view.exitCode }));
    else output.err(errorText(output, view));
    return error.exitCode;
  }
  output.err(`firebreak: the daemon on ${socket} failed: ${(error as Error)?.message ?? String(error)}`);
  return 1;
}

async function* stdinLines(): AsyncIterable<string> {
  const { createInterface } = await import("node:readline"); // only --stdin reads lines: not loaded at start
  yield* createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
}

/**
 * Whether the socket exists and is this user's: another user able to write where it lives (the state dir) must not
 * answer our hooks or see our environment. (Node cannot ask the kernel who listens, as the native launcher does with
 * SO_PEERCRED; a socket file is owned by whoever bound it, and following a link stats the real one.)
 */
function ownSocket(socket: string): boolean {
  try {
    return fs.statSync(socket).uid === process.getuid?.();
  } catch {
    return false;
  }
}
