import type { EngineContext } from "./context.js";
import { planInvocation } from "./plan.js";
import type { Plan } from "./types.js";

/**
 * The other configured roles under which the policy would not deny this plan: a refusal then says which
 * `--role` would allow it. Each role is decided from scratch (risk ceilings, permissions, modes, concepts
 * and time windows all differ); nothing runs and nothing is audited. Arguments that do not bind for the
 * original role do not bind for another either, so errors here are not expected, but one never hides the
 * refusal: such a role is just left out.
 */
export async function rolesThatWouldAllow(ctx: EngineContext, plan: Plan): Promise<string[]> {
  if (plan.rendered === undefined) return [];
  const allowed: string[] = [];
  for (const role of Object.keys(ctx.config.roles)) {
    if (role === plan.role) continue;
    const invocation = plan.invocation.kind === "command" && plan.definition ? { ...plan.invocation, definition: plan.definition } : plan.invocation;
    try {
      const other = await planInvocation(ctx, invocation, { ...plan.options, role });
      if (other.decision.placement !== "denied") allowed.push(role);
    } catch {
      // left out (see above)
    }
  }
  return allowed;
}
