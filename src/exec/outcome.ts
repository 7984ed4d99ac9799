import os from "node:os";
import { EXIT } from "../errors.js";

/** What running a script produced, wherever it ran (host or microVM). */
export interface ExecOutcome {
  /** The command's exit status; 128+N for signal N; 124 on timeout; 130 when cancelled. */
  exitCode: number;
  signal: string | null;
  timedOut: boolean;
  /** True when the run was cancelled (client gone, Ctrl-C, daemon stopping) and killed. */
  cancelled?: boolean;
  /** Set when something (timeout, resource monitor, cancellation) killed the command. */
  killReason?: string;
  durationMs: number;
  /** Captured (capped) copies; the live output was streamed as it came. */
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
}

/**
 * The one rule for a run's exit status, on the host and in a microVM alike: cancelled → 130,
 * timed out → 124, the process's own code, else 128 + the signal's number, else 1.
 *
 * @example
 * exitStatusOf({ code: null, signal: "SIGKILL", timedOut: false }) // 137
 */
export function exitStatusOf(end: { code: number | null; signal: string | null; timedOut: boolean; cancelled?: boolean }): number {
  if (end.cancelled) return EXIT.CANCELLED;
  if (end.timedOut) return EXIT.TIMEOUT;
  if (end.code !== null) return end.code;
  const n = end.signal ? (os.constants.signals as Record<string, number>)[end.signal] : undefined;
  return n !== undefined ? 128 + n : EXIT.FAILURE;
}
