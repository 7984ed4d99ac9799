import { describeShadowing } from "../commands/summary.js";
import type { EngineContext } from "./context.js";
import type { EmitEvent } from "./events.js";
import { planInvocation } from "./plan.js";
import { planView } from "./plan-view.js";
import { auditDryRun, executePlan, type RunOptions } from "./run.js";
import type { Invocation, InvocationOptions, InvocationOutcome, Plan } from "./types.js";

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
  if (run.emit) announcePlan(ctx, plan, run.emit);
  if (run.planOnly) {
    await auditDryRun(ctx, plan);
    return { kind: "planned", plan };
  }
  return executePlan(ctx, plan, run);
}

/**
 * The events that open an invocation: its plan, then a note for each name or alias its definition took
 * over from another layer (so taking over `hello-world` is never silent).
 */
export function announcePlan(ctx: EngineContext, plan: Plan, emit: EmitEvent): void {
  emit({ type: "plan", plan: planView(plan) });
  if (!plan.definition) return;
  for (const s of ctx.registry.shadowedBy(plan.definition)) emit({ type: "log", message: `firebreak: note: ${describeShadowing(s)}` });
}
