/**
 * One result shape wherever a command ran: the host executor and the microVM runner report slightly different
 * things, and `--json`, the HTTP API and the audit log should not care which. Also the one place a VM's
 * in-guest kills get the explanation the host's resource monitor gives local ones.
 */
import type { ExecOutcome } from "../exec/outcome.js";
import type { ResourceLimits } from "../commands/types.js";
import type { Placement } from "../policy/types.js";
import type { RunResult } from "./types.js";

/** 128 + SIGXCPU (24 on x86-64 and arm64): what a shell reports when its child hit RLIMIT_CPU. */
export const EXIT_SIGXCPU = 152;
/** 128 + SIGKILL: what a shell reports when the guest's OOM killer took its child. */
export const EXIT_SIGKILL = 137;

type Outcome = ExecOutcome & { stdoutTruncated?: boolean; stderrTruncated?: boolean };

/** The result every caller sees: the same keys in the same order for local and VM runs (`vm` null on the host). */
export function runResult(id: string, placement: Placement, outcome: Outcome, vm: Record<string, unknown> | null): RunResult {
  return {
    id,
    placement,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    timedOut: outcome.timedOut,
    cancelled: Boolean(outcome.cancelled),
    killReason: outcome.killReason ?? null,
    durationMs: outcome.durationMs,
    stdout: outcome.stdout,
    stderr: outcome.stderr,
    stdoutBytes: outcome.stdoutBytes,
    stderrBytes: outcome.stderrBytes,
    // The VM runner caps its copies without saying so: fewer bytes kept than were written means capped.
    stdoutTruncated: outcome.stdoutTruncated ?? Buffer.byteLength(outcome.stdout) < outcome.stdoutBytes,
    stderrTruncated: outcome.stderrTruncated ?? Buffer.byteLength(outcome.stderr) < outcome.stderrBytes,
    vm,
    changes: null,
    annotations: {},
  };
}

/**
 * Why a command in a microVM was killed, in the words a local kill gets ("killed: cpu time … exceeded
 * max_cpu_time …"): the guest agent's RLIMIT_CPU ends it with SIGXCPU (exit 152 through the shell), the
 * guest's out-of-memory killer with SIGKILL (137), and the agent's timeout sets `timedOut`. Undefined when
 * it simply exited, or something already explained the ending.
 */
export function explainVmKill(outcome: ExecOutcome, limits: Pick<ResourceLimits, "max_cpu_time"> | undefined, details: Record<string, unknown>): string | undefined {
  if (outcome.killReason || outcome.cancelled) return undefined;
  if (outcome.timedOut) return `timed out after ${outcome.durationMs} ms in the microVM`;
  const cpu = limits?.max_cpu_time;
  if (outcome.signal === "SIGXCPU" || outcome.exitCode === EXIT_SIGXCPU) {
    return `killed: cpu time exceeded ${cpu !== undefined ? `max_cpu_time ${cpu}` : "its limit"} (SIGXCPU in the microVM)`;
  }
  if (outcome.signal === "SIGKILL" || outcome.exitCode === EXIT_SIGKILL) {
    const memoryMb = (details.shape as { memoryMb?: number } | undefined)?.memoryMb;
    // Nothing else in the guest sends SIGKILL unasked: the agent's own kills are timeouts and cancels.
    return `killed (SIGKILL) in the microVM: most likely its out-of-memory killer, the guest has ${memoryMb ?? "?"} MiB (max_memory_mb)`;
  }
  return undefined;
}
