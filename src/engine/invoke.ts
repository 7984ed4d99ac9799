import type { EngineContext } from "./context.js";
import { planInvocation } from "./plan.js";
import { planView } from "./plan-view.js";
import { auditDryRun, executePlan, type RunOptions } from "./run.js";
import type { Invocation, InvocationOptions, InvocationOutcome } from "./types.js";

export interface InvokeOptions extends RunOptions {
  /** Plan and audit as a dry run; run nothing (`--plan`, `POST /v1/plan`). */
  planOnly?: boolean;
}

/**
 * One invocation from request to outcome: plan it, emit the plan, then (unless `planOnly`) execute it
 * where the decision says. Every caller — CLI, HTTP API, terminal UI, MCP — goes through here and
 * reads the same event stream.
 *
 * @example
 * const outcome = await invoke(ctx, { kind: "shell", line: "ls" }, { cwd }, { emit: (e) => console.log(e.type) });
 * if (outcome.kind === "completed") outcome.result.exitCode;
 */
export async function invoke(ctx: EngineContext, invocation: Invocation, options: InvocationOptions, run: InvokeOptions = {}): Promise<InvocationOutcome> {
  const plan = await planInvocation(ctx, invocation, options);
  run.emit?.({ type: "plan", plan: planView(plan) });
  if (run.planOnly) {
    await auditDryRun(ctx, plan);
    return { kind: "planned", plan };
  }
  return executePlan(ctx, plan, run);
}
