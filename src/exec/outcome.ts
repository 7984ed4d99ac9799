/** What running a script produced, wherever it ran (host or microVM). */
export interface ExecOutcome {
  /** The command's exit status; 128+N for signal N; 124 on timeout. */
  exitCode: number;
  signal: string | null;
  timedOut: boolean;
  /** Set when something (timeout, resource monitor) killed the command. */
  killReason?: string;
  durationMs: number;
  /** Captured (capped) copies; the live output was streamed as it came. */
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
}
