import path from "node:path";
import type { AuditEntry } from "../audit/types.js";
import { openRunIntent } from "../audit/intent.js";
import { redactParameters } from "../audit/log.js";
import { ConfigError, RefusedError } from "../errors.js";
import { buildHooks } from "../hooks/build.js";
import { createHookPipeline } from "../hooks/pipeline.js";
import type { HookContext } from "../hooks/types.js";
import { filterEnv } from "../exec/env.js";
import { runLocal } from "../exec/local.js";
import { RateLimitStore } from "../policy/limits/rate-limit-store.js";
import { rateLimitRequests } from "../policy/limits/resolve.js";
import { resolveAsk } from "../policy/rules/ask.js";
import type { EngineContext } from "./context.js";
import { SHELL_LINE_COMMAND } from "./decide.js";
import { conceptsInScript } from "./knowledge.js";
import type { Plan, RunResult } from "./types.js";

export interface RunOptions {
  /** Ask the user on a terminal; absent = not interactive. */
  prompt?: (question: string) => Promise<boolean>;
  now?: () => Date;
}

/**
 * Executes a plan where its decision says, records the outcome in the audit log, and returns
 * the result. A denied plan is recorded and thrown as RefusedError (nothing runs).
 */
export async function executePlan(ctx: EngineContext, plan: Plan, options: RunOptions = {}): Promise<RunResult> {
  const { decision } = plan;
  const refuse = async (message: string, reasons: string[]): Promise<never> => {
    await audit(ctx, plan, { kind: "refused", placement: "denied", reasons });
    throw new RefusedError(message, reasons);
  };
  if (decision.placement === "denied" || plan.rendered === undefined) {
    await refuse(`${commandLabel(plan)} was refused`, decision.reasons);
  }
  if (decision.needsConfirmation) {
    const answer = await resolveAsk({ isTTY: Boolean(plan.options.isTTY && options.prompt), yes: Boolean(plan.options.yes), prompt: options.prompt ?? (async () => false), question: `Run ${commandLabel(plan)} (${decision.risk} risk, ${decision.placement})?` });
    if (!answer.allowed) await refuse(`${commandLabel(plan)} needs confirmation`, [answer.reason]);
  }

  const role = ctx.config.roles[plan.role];
  const store = new RateLimitStore({ stateDir: ctx.stateDir });
  const limit = await store.consumeAll(
    rateLimitRequests({ command: plan.definition?.qualifiedName ?? SHELL_LINE_COMMAND, user: plan.user, role: role && { name: plan.role, config: role }, policy: ctx.config.policy }),
    options.now?.() ?? new Date(),
  );
  if (!limit.allowed) await refuse(`${commandLabel(plan)} is rate limited`, limit.reasons);

  const def = plan.definition;
  const hooks = createHookPipeline(buildHooks(ctx.config.hooks, { preset: role?.hooks ?? "default", baseDir: configDir(ctx) }), {
    failClosedAtRisk: ctx.config.hooks.fail_closed_at,
    log: (_level, message) => ctx.io.stderr(`firebreak: hooks: ${message}\n`),
  });
  const hookContext = hookContextFor(ctx, plan);
  const pre = await hooks.runPre(hookContext);
  if (pre.blocked) {
    await audit(ctx, plan, { kind: "refused", placement: "denied", reasons: [`blocked by a pre-hook: ${pre.reason ?? "no reason given"}`], hooks: pre.records });
    throw new RefusedError(`${commandLabel(plan)} was blocked by a pre-hook`, [pre.reason ?? "no reason given"]);
  }

  const timeoutMs = def?.timeout !== undefined ? def.timeout * 1000 : undefined;
  const env = { ...filterEnv(process.env, ctx.config.exec.env_allowlist), ...pre.env };
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
        onStdout: ctx.io.stdout,
        onStderr: ctx.io.stderr,
        onSpawn: (proc) => {
          monitor = hooks.onSpawn(hookContext, proc);
        },
      });
      spawnAnnotations = (await monitor?.stop()) ?? {};
      result = { id: plan.id, placement: "local", ...r, signal: r.signal, annotations: {} };
    } else {
      const r = await ctx.vm.run({
        script,
        cwd: plan.options.cwd,
        env,
        limits: def?.resource_limits,
        vmType: vmTypeOf(ctx, plan.role),
        timeoutMs,
        copyWorkspace: true,
        artifacts: def?.artifacts,
        onStdout: ctx.io.stdout,
        onStderr: ctx.io.stderr,
      });
      result = { id: plan.id, placement: "vm", ...r, vm: r.details, annotations: {} };
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
  result.annotations = { pre: pre.annotations, spawn: spawnAnnotations, post: post.annotations };
  await audit(ctx, plan, {
    kind: "run",
    placement: result.placement,
    reasons: decision.reasons,
    exit_status: result.exitCode,
    signal: result.signal,
    duration_ms: result.durationMs,
    stdout_bytes: result.stdoutBytes,
    stderr_bytes: result.stderrBytes,
    hooks: [...pre.records, ...post.records],
    extra: { timed_out: result.timedOut, kill_reason: result.killReason, vm: result.vm, annotations: result.annotations },
  });
  return result;
}

function vmTypeOf(ctx: EngineContext, roleName: string) {
  const name = ctx.config.roles[roleName]?.vm_type;
  if (!name) return undefined;
  const type = ctx.config.vm_types[name];
  if (!type) throw new ConfigError(`role ${roleName} names vm_type '${name}', which is not defined in [vm_types]`, { field: `roles.${roleName}.vm_type` });
  return type;
}

/** The directory relative paths in the config (external hook programs) are resolved against. */
function configDir(ctx: EngineContext): string {
  const file = ctx.loaded.sources.at(-1)?.file;
  return file && !file.startsWith("<") ? path.dirname(file) : ctx.loaded.projectRoot;
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
    concepts: { ...plan.decision.concepts, in_script: plan.rendered ? await conceptsInScript(ctx, plan.role, plan.rendered) : [] },
    hooks: plan.decision.hooks,
    ...outcome,
    extra: { cwd: path.resolve(plan.options.cwd), segments: plan.decision.segments.length, ...outcome.extra },
  });
}

export function commandLabel(plan: Plan): string {
  return plan.definition ? plan.definition.qualifiedName : `shell line '${plan.rendered ?? ""}'`;
}
