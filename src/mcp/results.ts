import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { RunChanges } from "../engine/changes.js";
import type { PolicyAnswer } from "../engine/plan-view.js";
import type { InvocationOutcome, Plan } from "../engine/types.js";

/**
 * Tool results: structured content for programs, text for models. A refusal is a tool error carrying its
 * reasons (the model can read why and try something else); so is a run that failed or was cancelled.
 */
export function outcomeResult(outcome: Exclude<InvocationOutcome, { kind: "planned" }>): CallToolResult {
  const { decision } = outcome.plan;
  if (outcome.kind === "refused") {
    const structured = {
      refused: true,
      command: outcome.plan.definition?.qualifiedName ?? null,
      message: outcome.message,
      reasons: outcome.reasons,
      needs_confirmation: Boolean(outcome.needsConfirmation),
      allowed_roles: outcome.allowedRoles ?? [],
      placement: "denied",
      risk: decision.risk,
    };
    const text = [`firebreak refused it: ${outcome.message}`, ...outcome.reasons.map((r) => `- ${r}`)].join("\n");
    return { isError: true, content: [{ type: "text", text }], structuredContent: structured };
  }
  const r = outcome.result;
  const structured = {
    refused: false,
    command: outcome.plan.definition?.qualifiedName ?? null,
    id: r.id,
    exit_code: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
    placement: r.placement,
    risk: decision.risk,
    reasons: decision.reasons,
    duration_ms: r.durationMs,
    cancelled: r.cancelled,
    timed_out: r.timedOut,
    kill_reason: r.killReason,
    stdout_truncated: r.stdoutTruncated,
    stderr_truncated: r.stderrTruncated,
    changes: r.changes,
  };
  const parts = [r.stdout];
  if (r.stderr) parts.push(`[stderr]\n${r.stderr}`);
  const where = r.placement === "vm" ? "in a microVM" : "on the host";
  parts.push(`[exit code ${r.exitCode}, ran ${where}, ${decision.risk} risk${r.killReason ? `; ${r.killReason}` : ""}]`);
  if (r.changes) parts.push(changesText(r.changes));
  const failed = r.exitCode !== 0 || r.cancelled;
  return { ...(failed ? { isError: true } : {}), content: [{ type: "text", text: parts.filter(Boolean).join("\n") }], structuredContent: structured };
}

/**
 * What a microVM run changed, for a client that cannot be asked on a terminal: the changeset stays stored and
 * the text says how a person applies it.
 */
export function changesText(c: RunChanges): string {
  const counts = `${c.added} added, ${c.modified} modified, ${c.deleted} deleted${c.protected ? ` (${c.protected} protected)` : ""}`;
  const lines = [`[workspace changes: ${counts}; stored as changeset ${c.id}]`];
  if (c.applied.length) lines.push(`applied at once: ${c.applied.join(", ")}`);
  if (c.conflicts.length) lines.push(`not applied, the host file changed meanwhile: ${c.conflicts.map((x) => x.path).join(", ")}`);
  if (c.pending > 0) {
    lines.push(`${c.pending} change(s) wait for review: 'firebreak changes diff ${c.id}', then 'firebreak changes apply ${c.id}' (or 'firebreak changes discard ${c.id}')`);
  }
  return lines.join("\n");
}

/** The `plan` tool's answer: the decision alone, nothing ran. */
export function planResult(plan: Plan, answer: PolicyAnswer): CallToolResult {
  const d = plan.decision;
  const structured = { command: plan.definition?.qualifiedName ?? null, rendered: plan.rendered ?? null, needs_confirmation: Boolean(d.needsConfirmation), ...answer };
  const verdict = d.placement === "denied" ? "would be refused" : `would run ${d.placement === "vm" ? "in a microVM" : "on the host"}${d.needsConfirmation ? " after a confirmation" : ""}`;
  const text = [`${plan.rendered ?? answer.line}: ${verdict} (${d.risk} risk)`, ...d.reasons.map((r) => `- ${r}`)].join("\n");
  return { content: [{ type: "text", text }], structuredContent: structured };
}

/** A failure to run at all (bad arguments, unknown command, a VM that died): a tool error with the message. */
export function errorResult(error: unknown): CallToolResult {
  const e = error as { message?: string; code?: string; usage?: string };
  const text = [e.message ?? String(error), e.usage ? `usage: ${e.usage}` : ""].filter(Boolean).join("\n");
  return { isError: true, content: [{ type: "text", text }], structuredContent: { error: { code: e.code ?? "internal", message: e.message ?? String(error) } } };
}
