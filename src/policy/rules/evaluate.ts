import type { ShellSegment } from "../shell/types.js";
import { type RiskLevel, riskRank } from "../types.js";
import { type CompiledRule, type RuleAction, describeRule, ruleMatchesSegment } from "./compile.js";

export type RuleVerdict = RuleAction | "none";

export interface RuleMatch {
  rule: CompiledRule;
  segmentIndex: number;
}

export interface SegmentRuleVerdict {
  action: RuleVerdict;
  /** Rules that matched this segment (allow rules never match opaque segments). */
  rules: CompiledRule[];
}

export interface RuleEvaluation {
  /** deny > ask > allow; "allow" only if every segment is allowed; "none" if no rule decides. */
  action: RuleVerdict;
  matched: RuleMatch[];
  perSegment: SegmentRuleVerdict[];
  /** Human-readable reasons for the deciding rules (empty for "none"). */
  reasons: string[];
  /**
   * For "allow": the highest risk the line may run at on the host — per segment the highest ceiling of the allow
   * rules covering it, and over the line the lowest of those (each command stays within what allowed it).
   */
  localRiskCeiling?: RiskLevel;
}

const PRECEDENCE: RuleAction[] = ["deny", "ask", "allow"];

function strongest(actions: readonly RuleVerdict[]): RuleVerdict {
  return PRECEDENCE.find((action) => actions.includes(action)) ?? "none";
}

/**
 * Evaluates compiled rules over every segment of a parsed line.
 *
 * @example
 * evaluateRules(simpleSegments("git status && rm -rf x"), compileRules([{ action: "allow", pattern: "git status *" }]))
 *   .action // "none": the allow covers only one of the two segments
 */
export function evaluateRules(segments: readonly ShellSegment[], rules: readonly CompiledRule[]): RuleEvaluation {
  const matched: RuleMatch[] = [];
  const perSegment = segments.map((segment, segmentIndex): SegmentRuleVerdict => {
    const hits = rules.filter((rule) => ruleMatchesSegment(rule, segment));
    for (const rule of hits) matched.push({ rule, segmentIndex });
    return { action: strongest(hits.map((r) => r.action)), rules: hits };
  });
  const verdicts = perSegment.map((s) => s.action);
  let action: RuleVerdict = strongest(verdicts.filter((v) => v !== "allow"));
  if (action === "none" && verdicts.length > 0 && verdicts.every((v) => v === "allow")) action = "allow";

  const deciding = action === "none" ? [] : matched.filter((m) => m.rule.action === action);
  const seen = new Set<CompiledRule>();
  const reasons: string[] = [];
  for (const { rule, segmentIndex } of deciding) {
    if (seen.has(rule)) continue;
    seen.add(rule);
    const verb = { allow: "allowed", ask: "needs confirmation", deny: "denied" }[rule.action];
    const text = segments[segmentIndex]?.text;
    reasons.push(`${verb} by ${describeRule(rule)}${text ? ` on '${text}'` : ""}${rule.reason ? `: ${rule.reason}` : ""}`);
  }
  if (action !== "allow") return { action, matched, perSegment, reasons };
  const segmentCeilings = perSegment.map((s) => highest(s.rules.map((r) => r.localRiskCeiling ?? "low")));
  return { action, matched, perSegment, reasons, localRiskCeiling: lowest(segmentCeilings) };
}

function highest(levels: readonly RiskLevel[]): RiskLevel {
  return levels.reduce((a, b) => (riskRank(b) > riskRank(a) ? b : a), "low" as RiskLevel);
}

function lowest(levels: readonly RiskLevel[]): RiskLevel {
  return levels.reduce((a, b) => (riskRank(b) < riskRank(a) ? b : a));
}
