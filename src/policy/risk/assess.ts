/**
 * assessRisk: judges every segment of an analysed line with the rule table and combines the
 * results. Analysis can raise a command's declared risk, never lower it; opaque is at least high.
 */
import type { AssessedSegment, RiskAssessment, RiskContext, ShellAnalysis } from "../shell/types.js";
import { maxRisk, riskRank, type RiskLevel } from "../types.js";
import { resolvePath, isInside, type CwdState } from "./paths.js";
import type { RiskRule } from "./rule-types.js";
import { RISK_RULES } from "./rules.js";
import { LineView, SegmentView } from "./segment-view.js";

const CD_COMMANDS = new Set(["cd", "pushd", "popd", "chdir"]);

/**
 * Assesses an analysed shell line.
 * @example
 * const analysis = (await createShellAnalyzer()).analyze("ls && rm -rf ~/p");
 * assessRisk(analysis, { workspace: "/w", home: "/h" }).risk; // "high"
 */
export function assessRisk(analysis: ShellAnalysis, ctx: RiskContext, definitionRisk?: RiskLevel, rules: readonly RiskRule[] = RISK_RULES): RiskAssessment {
  const views = segmentViews(analysis, ctx);
  const line = new LineView(views);
  const segments = views.map((view) => assessSegment(view, line, rules));
  let risk: RiskLevel = definitionRisk ?? "low";
  for (const s of segments) risk = maxRisk(risk, s.risk);
  const opaque = segments.some((s) => s.opaque);
  const reasons = collectReasons(segments);
  if (definitionRisk && riskRank(definitionRisk) > 0 && risk === definitionRisk && !segments.some((s) => s.risk === risk)) {
    reasons.push(`the command definition declares risk ${definitionRisk}`);
  }
  return { risk, segments, reasons, opaque };
}

/** Builds views in order, tracking the directory `cd` moves to so relative paths resolve correctly. */
function segmentViews(analysis: ShellAnalysis, ctx: RiskContext): SegmentView[] {
  let cwd: CwdState = { dir: ctx.workspace, escaped: false };
  const views: SegmentView[] = [];
  for (const segment of analysis.segments) {
    const view = new SegmentView(segment, cwd, ctx);
    views.push(view);
    if (CD_COMMANDS.has(view.name)) cwd = afterCd(view, cwd, ctx);
  }
  return views;
}

function afterCd(view: SegmentView, cwd: CwdState, ctx: RiskContext): CwdState {
  const operands = view.operandIndices;
  if (view.name === "popd" || view.segment.opaque) return { escaped: true };
  const index = operands[0];
  const target = index === undefined ? ctx.home : (view.args[index] as string);
  if (target === "-") return { escaped: true };
  const dir = resolvePath(target, index !== undefined && view.isDynamic(index), cwd, ctx);
  if (dir === undefined) return { escaped: true };
  // once the line has left the workspace, later relative paths stay suspect even if it comes back
  const escaped = cwd.escaped || !isInside(dir, ctx.workspace);
  return { dir: cwd.escaped && isInside(dir, ctx.workspace) ? undefined : dir, escaped };
}

function assessSegment(view: SegmentView, line: LineView, rules: readonly RiskRule[]): AssessedSegment {
  let risk: RiskLevel = "low";
  const hits: { risk: RiskLevel; reason: string }[] = [];
  const judge = (rule: RiskRule): void => {
    const verdict = rule.applies(view, line);
    if (verdict === false || verdict === undefined || verdict === "") return;
    const reason = typeof verdict === "string" ? `${rule.reason}: ${verdict}` : rule.reason;
    hits.push({ risk: rule.risk, reason: `${rule.risk}: ${reason}` });
    risk = maxRisk(risk, rule.risk);
  };
  for (const rule of rules) if (!rule.fallback) judge(rule);
  if (hits.length === 0) for (const rule of rules) if (rule.fallback) judge(rule);
  if (view.segment.opaque) risk = maxRisk(risk, "high");
  hits.sort((a, b) => riskRank(b.risk) - riskRank(a.risk));
  return { ...view.segment, risk, reasons: hits.map((h) => h.reason) };
}

function collectReasons(segments: AssessedSegment[]): string[] {
  const ranked: { rank: number; reason: string }[] = [];
  const seen = new Set<string>();
  for (const s of segments) {
    for (const reason of s.reasons) {
      const text = `${reason} (in: ${s.text.length > 80 ? `${s.text.slice(0, 77)}...` : s.text})`;
      if (seen.has(text)) continue;
      seen.add(text);
      ranked.push({ rank: riskRank(reason.split(":", 1)[0] as RiskLevel), reason: text });
    }
  }
  return ranked.sort((a, b) => b.rank - a.rank).map((r) => r.reason);
}
