import path from "node:path";
import type { AuditEntry } from "../audit/types.js";
import { openRunIntent } from "../audit/intent.js";
import { redactParameters } from "../audit/log.js";
import { ConfigError } from "../errors.js";
import { buildHooks } from "../hooks/build.js";
import { createHookPipeline } from "../hooks/pipeline.js";
import type { HookContext } from "../hooks/types.js";
import { filterEnv } from "../exec/env.js";
import { runLocal } from "../exec/local.js";
import { RateLimitStore } from "../policy/limits/rate-limit-store.js";
import { rateLimitRequests } from "../policy/limits/resolve.js";
import { resolveAsk } from "../policy/rules/ask.js";
import { rolesThatWouldAllow } from "./alternatives.js";
import type { EngineContext } from "./context.js";
import { configDir } from "./hooks-list.js";
import { SHELL_LINE_COMMAND } from "./decide.js";
import { type EmitEvent, ignoreEvents } from "./events.js";
import { prepareChangeCapture, recordRunChanges } from "./changes.js";
import { explainVmKill, runResult } from "./result.js";
import { conceptsInScript } from "./knowledge.js";
import type { InvocationOutcome, Plan, RunResult } from "./types.js";

export interface RunOptions {
  /** Ask the user on a terminal; absent = not interactive. */
  prompt?: (question: string) => Promise<boolean>;
  now?: () => Date;
  /** This invocation's event stream: output, hooks, VM phases, the result. */
  emit?: EmitEvent;
  /** Aborting cancels the run: its process group or VM is killed and it is audited as cancelled. */
  signal?: AbortSignal;
}

type Refused = Extract<InvocationOutcome, { kind: "refused" }>;

/**
 * Executes a plan where its decision says, records the outcome in the audit log, and returns it as
 * data: refused (nothing ran, with the reasons) or completed (with the result, possibly cancelled).
 * Only failures to execute at all (a VM that died) are thrown, after they are audited.
 */
export async function executePlan(ctx: EngineContext, plan: Plan, options: RunOptions = {}): Promise<Exclude<InvocationOutcome, { kind: "planned" }>> {
  const { decision } = plan;
  const emit = options.emit ?? ignoreEvents;
  const refuse = async (message: string, reasons: string[], extra: Partial<Refused> = {}, hooks?: unknown[]): Promise<Refused> => {
    await audit(ctx, plan, { kind: "refused", placement: "denied", reasons, hooks });
    const allowed = extra.allowedRoles?.length ? { allowed_roles: extra.allowedRoles } : {};
    emit({ type: "refused", message, reasons, ...(extra.needsConfirmation ? { needs_confirmation: true } : {}), ...allowed });
    return { kind: "refused", plan, message, reasons, ...extra };
  };
  if (decision.placement === "denied" || plan.rendered === undefined) {
    return refuse(`${commandLabel(plan)} was refused`, decision.reasons, { allowedRoles: await rolesThatWouldAllow(ctx, plan) });
  }
  if (decision.needsConfirmation) {
    const answer = await resolveAsk({ isTTY: Boolean(plan.options.isTTY && options.prompt), yes: Boolean(plan.options.yes), prompt: options.prompt ?? (async () => false), question: confirmationQuestion(plan) });
    if (!answer.allowed) return refuse(`${commandLabel(plan)} needs confirmation`, [answer.reason], { needsConfirmation: true });
  }

  const role = ctx.config.roles[plan.role];
  const store = new RateLimitStore({ stateDir: ctx.stateDir });
  const limit = await store.consumeAll(
    rateLimitRequests({ command: plan.definition?.qualifiedName ?? SHELL_LINE_COMMAND, user: plan.user, role: role && { name: plan.role, config: role }, policy: ctx.config.policy }),
    options.now?.() ?? new Date(),
  );
  if (!limit.allowed) return refuse(`${commandLabel(plan)} is rate limited`, limit.reasons);

  const def = plan.definition;
  const hooks = createHookPipeline(buildHooks(ctx.config.hooks, { preset: role?.hooks ?? "default", baseDir: configDir(ctx) }), {
    failClosedAtRisk: ctx.config.hooks.fail_closed_at,
    log: (_level, message) => emit({ type: "log", message: `firebreak: hooks: ${message}` }),
  });
  const hookContext = hookContextFor(ctx, plan);
  const pre = await hooks.runPre(hookContext);
  emit({ type: "hook", phase: "pre", records: pre.records });
  if (pre.blocked) {
    const reason = pre.reason ?? "no reason given";
    await audit(ctx, plan, { kind: "refused", placement: "denied", reasons: [`blocked by a pre-hook: ${reason}`], hooks: pre.records });
    emit({ type: "refused", message: `${commandLabel(plan)} was blocked by a pre-hook`, reasons: [reason] });
    return { kind: "refused", plan, message: `${commandLabel(plan)} was blocked by a pre-hook`, reasons: [reason] };
  }

  // The audit record names the concepts in the script: load the role's graph while the command runs.
  void conceptsOf(ctx, plan);
  const timeoutMs = def?.timeout !== undefined ? def.timeout * 1000 : undefined;
  const env = { ...filterEnv(plan.options.env ?? process.env, ctx.config.exec.env_allowlist), ...pre.env };
  const onStdout = (chunk: Buffer) => emit({ type: "output", stream: "stdout", chunk });
  const onStderr = (chunk: Buffer) => emit({ type: "output", stream: "stderr", chunk });
  const script = plan.rendered!;
  let result: RunResult;
  let spawnAnnotations: Record<string, unknown> = {};
  const intent = await openRunIntent(ctx.audit, plan); // issue 11: a started run always gets an ending on record
  try {
    if (decision.placement === "local") {
      let monitor: ReturnType<typeof hooks.onSpawn> | undefined;
      const r = await runLocal({
        script,
        cwd: plan.options.cwd,
        env,
        timeoutMs,
        killGraceMs: ctx.config.exec.kill_grace_ms,
        outputCapBytes: ctx.config.exec.output_cap_bytes,
        onStdout,
        onStderr,
        signal: options.signal,
        onSpawn: (proc) => {
          monitor = hooks.onSpawn(hookContext, proc);
        },
      });
      spawnAnnotations = (await monitor?.stop()) ?? {};
      result = runResult(plan.id, "local", r, null);
    } else {
      const workspace = path.resolve(plan.options.cwd);
      const capture = prepareChangeCapture(ctx, plan.id, workspace);
      const r = await ctx.vm.run({
        script,
        cwd: plan.options.cwd,
        env,
        limits: def?.resource_limits,
        vmType: vmTypeOf(ctx, plan.role),
        timeoutMs,
        copyWorkspace: true,
        changes: capture.options,
        onStdout,
        onStderr,
        onPhase: (phase, ms) => emit({ type: "vm_phase", phase, ms }),
        onQueued: (ahead) => emit({ type: "queued", ahead }),
        signal: options.signal,
      });
      const { changes: captured, ...outcome } = r;
      const changes = await recordRunChanges(ctx, { invocationId: plan.id, command: commandLabel(plan), workspace, role: plan.role, definition: def }, capture, captured);
      result = runResult(plan.id, "vm", { ...outcome, killReason: r.killReason ?? explainVmKill(r, def?.resource_limits, r.details) }, r.details);
      if (changes) result.changes = changes;
    }
  } catch (error) {
    // The run was attempted: the audit log says so, and why it has no exit status.
    await audit(ctx, plan, {
      kind: "run",
      placement: decision.placement,
      reasons: decision.reasons,
      exit_status: null,
      hooks: pre.records,
      extra: { error: (error as Error).message },
    });
    throw error;
  } finally {
    intent?.close();
  }
  const post = await hooks.runPost({
    ...hookContext,
    phase: "post",
    result: {
      exitCode: result.exitCode,
      signal: result.signal,
      durationMs: result.durationMs,
      stdoutBytes: result.stdoutBytes,
      stderrBytes: result.stderrBytes,
      timedOut: result.timedOut,
      placement: result.placement,
    },
  });
  emit({ type: "hook", phase: "post", records: post.records });
  result.annotations = { pre: pre.annotations, spawn: spawnAnnotations, post: post.annotations };
  await audit(ctx, plan, {
    kind: result.cancelled ? "cancelled" : "run",
    placement: result.placement,
    reasons: decision.reasons,
    exit_status: result.exitCode,
    signal: result.signal,
    duration_ms: result.durationMs,
    stdout_bytes: result.stdoutBytes,
    stderr_bytes: result.stderrBytes,
    hooks: [...pre.records, ...post.records],
    extra: { timed_out: result.timedOut, kill_reason: result.killReason, vm: result.vm, annotations: result.annotations, changes: result.changes ?? null },
  });
  emit({ type: "result", result });
  return { kind: "completed", plan, result };
}

/** The question an `ask` decision puts to the user (the terminal prompt, HTTP 409, MCP elicitation). */
export function confirmationQuestion(plan: Plan): string {
  return `Run ${commandLabel(plan)} (${plan.decision.risk} risk, ${plan.decision.placement})?`;
}

function vmTypeOf(ctx: EngineContext, roleName: string) {
  const name = ctx.config.roles[roleName]?.vm_type;
  if (!name) return undefined;
  const type = ctx.config.vm_types[name];
  if (!type) throw new ConfigError(`role ${roleName} names vm_type '${name}', which is not defined in [vm_types]`, { field: `roles.${roleName}.vm_type` });
  return type;
}

function hookContextFor(ctx: EngineContext, plan: Plan): HookContext {
  const def = plan.definition;
  return {
    phase: "pre",
    invocationId: plan.id,
    command: {
      name: def?.qualifiedName ?? SHELL_LINE_COMMAND,
      permissions: def?.permissions ?? ["execute"],
      riskLevel: def?.risk_level ?? plan.decision.risk,
      resourceLimits: def?.resource_limits,
    },
    parameters: redactParameters(plan.parameters, def?.parameters.filter((p) => p.secret).map((p) => p.name) ?? []),
    rendered: plan.rendered ?? "",
    decision: { risk: plan.decision.risk, placement: plan.decision.placement, reasons: plan.decision.reasons },
    segments: plan.segments,
    cwd: path.resolve(plan.options.cwd),
    workspace: ctx.loaded.projectRoot,
    role: plan.role,
    user: plan.user,
    stateDir: ctx.stateDir,
  };
}

/** Records a plan that was only shown (`--plan`). */
export async function auditDryRun(ctx: EngineContext, plan: Plan): Promise<void> {
  await audit(ctx, plan, { kind: "dry_run", placement: plan.decision.placement, reasons: plan.decision.reasons });
}

const scriptConcepts = new WeakMap<Plan, Promise<string[]>>();

/** The concepts mentioned in the plan's script, computed once per plan. */
function conceptsOf(ctx: EngineContext, plan: Plan): Promise<string[]> {
  let found = scriptConcepts.get(plan);
  if (!found) {
    found = plan.rendered ? conceptsInScript(ctx, plan.role, plan.rendered) : Promise.resolve([]);
    scriptConcepts.set(plan, found);
  }
  return found;
}

async function audit(ctx: EngineContext, plan: Plan, outcome: Partial<AuditEntry> & Pick<AuditEntry, "kind" | "placement" | "reasons">): Promise<void> {
  if (!ctx.audit) return;
  const secrets = plan.definition?.parameters.filter((p) => p.secret).map((p) => p.name) ?? [];
  await ctx.audit.append({
    id: plan.id,
    user: plan.user,
    role: plan.role,
    command: plan.definition?.qualifiedName ?? null,
    definition_sha256: plan.definition?.source.sha256 ?? null,
    parameters: redactParameters(plan.parameters, secrets),
    rendered: plan.rendered ?? null,
    risk: plan.decision.risk,
    concepts: { ...plan.decision.concepts, in_script: await conceptsOf(ctx, plan) },
    hooks: plan.decision.hooks,
    ...outcome,
    extra: { cwd: path.resolve(plan.options.cwd), segments: plan.decision.segments.length, ...outcome.extra },
  });
}

export function commandLabel(plan: Plan): string {
  return plan.definition ? plan.definition.qualifiedName : `shell line '${plan.rendered ?? ""}'`;
}
