import type { Decision, Plan, PlanView } from "./types.js";

/** The plan as it is shown and sent (`--json`, HTTP, events): secret parameter values redacted. */
export function planView(plan: Plan): PlanView {
  const secrets = new Set(plan.definition?.parameters.filter((p) => p.secret).map((p) => p.name));
  const parameters = Object.fromEntries(Object.entries(plan.parameters).map(([k, v]) => [k, secrets.has(k) ? "[redacted]" : v]));
  return { id: plan.id, command: plan.definition?.qualifiedName ?? null, role: plan.role, user: plan.user, parameters, rendered: plan.rendered ?? null, decision: plan.decision };
}

/** One `policy check` answer (the README documents this JSON shape). */
export type PolicyAnswer = ReturnType<typeof policyAnswer>;

export function policyAnswer(line: string, d: Decision) {
  return {
    line,
    risk: d.risk,
    placement: d.placement,
    reasons: d.reasons,
    segments: d.segments.map((s) => ({ argv: s.argv, risk: s.risk, opaque: s.opaque, reasons: s.reasons })),
    rules: d.rules,
  };
}
