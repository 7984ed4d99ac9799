/**
 * The JSON shape of a hook event, shared by the logging line, webhook bodies and the stdin
 * of external hook programs (Claude Code hook style: snake_case, `hook_event_name`).
 *
 * @example
 * {"hook_event_name":"PostCommand","invocation_id":"01J…","command":"deploy","parameters":{"env":"prod"},
 *  "rendered":"./deploy.sh 'prod'","decision":{"risk":"high","placement":"vm","reasons":[]},
 *  "cwd":"/work/app","workspace":"/work/app","role":"ops","user":"ana",
 *  "result":{"exit_code":0,"signal":null,"duration_ms":812,"stdout_bytes":120,"stderr_bytes":0,"timed_out":false,"placement":"vm"}}
 */
import { redactDeep } from "../audit/redact.js";
import type { HookContext } from "./types.js";

export interface HookEventOptions {
  /** Leave out parameters and the rendered script (they may carry secrets). */
  redact?: boolean;
}

export function hookEventName(phase: HookContext["phase"]): "PreCommand" | "PostCommand" {
  return phase === "pre" ? "PreCommand" : "PostCommand";
}

export function hookEvent(ctx: HookContext, opts: HookEventOptions = {}): Record<string, unknown> {
  const event: Record<string, unknown> = {
    hook_event_name: hookEventName(ctx.phase),
    invocation_id: ctx.invocationId,
    command: ctx.command.name,
    command_risk_level: ctx.command.riskLevel,
    permissions: ctx.command.permissions,
  };
  if (!opts.redact) {
    event.parameters = ctx.parameters;
    event.rendered = ctx.rendered;
    event.segments = ctx.segments.map((s) => ({ argv: s.argv, redirects: s.redirects }));
  }
  Object.assign(event, {
    decision: { risk: ctx.decision.risk, placement: ctx.decision.placement, reasons: ctx.decision.reasons },
    cwd: ctx.cwd,
    workspace: ctx.workspace,
    role: ctx.role,
    user: ctx.user,
  });
  if (ctx.result) {
    const r = ctx.result;
    event.result = {
      exit_code: r.exitCode,
      signal: r.signal ?? null,
      duration_ms: r.durationMs,
      stdout_bytes: r.stdoutBytes,
      stderr_bytes: r.stderrBytes,
      timed_out: r.timedOut,
      placement: r.placement,
    };
  }
  // Secret parameter values also stand in the rendered script, argv and reasons: no hook, log or webhook gets them.
  return redactDeep(event);
}
