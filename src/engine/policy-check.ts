import type { EngineContext } from "./context.js";
import { planInvocation } from "./plan.js";
import { type PolicyAnswer, policyAnswer } from "./plan-view.js";

/**
 * Decides ad-hoc shell lines without running them (`policy check`, `POST /v1/policy/check`): nothing is
 * audited and no rate-limit token is spent.
 *
 * @example
 * const [answer] = await checkLines(ctx, ["rm -rf ~"], { cwd });
 * answer.placement // "denied"
 */
export async function checkLines(ctx: EngineContext, lines: readonly string[], options: { cwd: string; role?: string }): Promise<PolicyAnswer[]> {
  const answers: PolicyAnswer[] = [];
  for (const line of lines) {
    const plan = await planInvocation(ctx, { kind: "shell", line }, { cwd: options.cwd, role: options.role });
    answers.push(policyAnswer(line, plan.decision));
  }
  return answers;
}
