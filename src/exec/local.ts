import { spawn } from "node:child_process";
import { once } from "node:events";
import { CappedCapture } from "./capture.js";
import { type ExecOutcome, exitStatusOf } from "./outcome.js";
import { guardGroupAgainstParentDeath } from "./group-guard.js";
import { onFirebreakExit } from "./reaper.js";
import { monotonicMs } from "../clock.js";

export const SHELL_PATH = "/bin/sh";

export interface LocalExecRequest {
  script: string;
  cwd: string;
  env: Record<string, string>;
  /** Undefined = no timeout. */
  timeoutMs?: number;
  killGraceMs: number;
  outputCapBytes: number;
  /** Live output (e.g. process.stdout.write); captured copies are kept regardless. */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Called once the process exists, e.g. for a resource monitor. */
  onSpawn?: (proc: SpawnedProcess) => void;
  stdin?: "inherit" | "ignore";
  /** Aborting kills the process group at once; the result is marked cancelled. */
  signal?: AbortSignal;
}

export interface SpawnedProcess {
  pid: number;
  /** Kills the whole process group; `reason` becomes the result's killReason. */
  kill(reason: string): void;
}

export interface LocalExecResult extends ExecOutcome {
  signal: NodeJS.Signals | null;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
}

/**
 * Runs a rendered script with `/bin/sh -c` in its own process group, streaming and capturing its
 * output. A timeout sends SIGTERM to the group, then SIGKILL after the grace period.
 *
 * @example
 * const r = await runLocal({ script: "echo hi", cwd: ".", env: { PATH: process.env.PATH! }, killGraceMs: 2000, outputCapBytes: 1 << 20 });
 * r.stdout // "hi\n"
 */
export async function runLocal(req: LocalExecRequest): Promise<LocalExecResult> {
  const started = monotonicMs();
  const child = spawn(SHELL_PATH, ["-c", req.script], {
    cwd: req.cwd,
    env: req.env,
    detached: true, // own process group, so the whole tree can be killed
    stdio: [req.stdin ?? "ignore", "pipe", "pipe"],
  });
  const stdout = new CappedCapture(req.outputCapBytes);
  const stderr = new CappedCapture(req.outputCapBytes);
  child.stdout.on("data", (c: Buffer) => {
    stdout.push(c);
    req.onStdout?.(c);
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr.push(c);
    req.onStderr?.(c);
  });

  let killReason: string | undefined;
  let timedOut = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const terminate = (reason: string) => {
    if (killReason) return;
    killReason = reason;
    killGroup("SIGTERM");
    graceTimer = setTimeout(() => killGroup("SIGKILL"), req.killGraceMs);
  };
  const timeoutTimer =
    req.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          terminate(`timed out after ${req.timeoutMs} ms`);
        }, req.timeoutMs)
      : undefined;

  let cancelled = false;
  const onAbort = () => {
    cancelled = true;
    killReason ??= "cancelled";
    killGroup("SIGKILL");
  };
  if (req.signal?.aborted) onAbort();
  else req.signal?.addEventListener("abort", onAbort, { once: true });

  const spawnError = new Promise<never>((_, reject) => child.once("error", reject));
  // If firebreak itself is stopped (Ctrl-C, SIGTERM), the command's group goes with it: it runs in its
  // own process group, so the terminal's signal would not reach it.
  const unregister = onFirebreakExit(() => killGroup("SIGKILL"));
  const guard = child.pid !== undefined ? guardGroupAgainstParentDeath(child.pid) : undefined; // issue 11: survives SIGKILL of firebreak
  if (child.pid !== undefined) {
    req.onSpawn?.({
      pid: child.pid,
      kill: (reason) => {
        killReason ??= reason;
        killGroup("SIGKILL");
      },
    });
  }
  try {
    const closed = once(child, "close");
    const [code, signal] = (await Promise.race([once(child, "exit"), spawnError])) as [number | null, NodeJS.Signals | null];
    // The shell may exit before its background children, which would hold the pipes open:
    // nothing of the group survives the command.
    killGroup("SIGKILL");
    await closed;
    return {
      exitCode: exitStatusOf({ code, signal, timedOut, cancelled }),
      signal,
      timedOut,
      cancelled,
      killReason,
      durationMs: Math.round(monotonicMs() - started),
      stdout: stdout.text(),
      stderr: stderr.text(),
      stdoutBytes: stdout.total,
      stderrBytes: stderr.total,
      stdoutTruncated: stdout.truncated,
      stderrTruncated: stderr.truncated,
    };
  } finally {
    guard?.stop();
    unregister();
    req.signal?.removeEventListener("abort", onAbort);
    clearTimeout(timeoutTimer);
    clearTimeout(graceTimer);
  }
}
