import { randomUUID } from "node:crypto";
import { RefusedError } from "../errors.js";
import type { VmRunOutcome } from "../vm/run-request.js";
import type { EngineContext } from "./context.js";
import type { EmitEvent } from "./events.js";
import { explainVmKill } from "./result.js";

export interface VmExecRequest {
  line: string;
  cwd: string;
  memoryMb?: number;
  /** Default: `[vm] exec_timeout_ms`. */
  timeoutMs?: number;
  network?: boolean;
  /** Copy the working directory into the guest's /work first. */
  copyWorkspace?: boolean;
  /** Restore from the shape's template snapshot instead of cold-booting. */
  snapshot?: boolean;
}

/**
 * `firebreak vm exec`: a shell line straight into a fresh microVM (no policy decision: it never touches the
 * host), streamed through the event stream and audited like any run. A guest the host cannot hold is refused (and
 * audited) before any VM starts; without a timeout of its own the line gets `[vm] exec_timeout_ms`.
 */
export async function vmExec(ctx: EngineContext, req: VmExecRequest, run: { emit?: EmitEvent; signal?: AbortSignal } = {}): Promise<VmRunOutcome> {
  const emit = run.emit ?? (() => {});
  const id = `vm-exec-${randomUUID()}`;
  const record = { id, user: ctx.user, role: ctx.config.default_role, command: null, definition_sha256: null, parameters: {}, rendered: req.line, placement: "vm" as const, risk: "unassessed", reasons: ["firebreak vm exec: always in a microVM"] };
  const limits = { max_memory_mb: req.memoryMb, network_access: Boolean(req.network) };
  const problem = await ctx.vm.fitProblem?.(limits);
  if (problem) {
    await ctx.audit?.append({ ...record, kind: "refused", placement: "denied", reasons: [problem] });
    throw new RefusedError("vm exec refused before starting a VM: the guest does not fit this host", [problem]);
  }
  let result: VmRunOutcome;
  try {
    result = await ctx.vm.run({
      script: req.line,
      cwd: req.cwd,
      env: {},
      limits,
      timeoutMs: req.timeoutMs ?? ctx.config.vm.exec_timeout_ms,
      copyWorkspace: Boolean(req.copyWorkspace),
      snapshot: req.snapshot,
      onStdout: (chunk) => emit({ type: "output", stream: "stdout", chunk }),
      onStderr: (chunk) => emit({ type: "output", stream: "stderr", chunk }),
      onPhase: (phase, ms) => emit({ type: "vm_phase", phase, ms }),
        onQueued: (ahead) => emit({ type: "queued", ahead }),
      signal: run.signal,
    });
  } catch (error) {
    await ctx.audit?.append({ ...record, kind: "run", exit_status: null, extra: { error: (error as Error).message } });
    throw error;
  }
  result.killReason ??= explainVmKill(result, undefined, result.details);
  await ctx.audit?.append({
    ...record,
    kind: result.cancelled ? "cancelled" : "run",
    exit_status: result.exitCode,
    signal: result.signal,
    duration_ms: result.durationMs,
    stdout_bytes: result.stdoutBytes,
    stderr_bytes: result.stderrBytes,
    extra: { vm: result.details },
  });
  return result;
}
