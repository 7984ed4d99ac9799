import fs from "node:fs";
import type { ResourceLimits } from "../commands/types.js";
import { checkBlacklist } from "../policy/blacklist.js";
import type { RoleConfig } from "../policy/config-schema.js";
import { checkTimeWindows } from "../policy/limits/resolve.js";
import { decidePlacement } from "../policy/placement.js";
import { checkRole } from "../policy/roles/check.js";
import { evaluateRules } from "../policy/rules/index.js";
import { assessRisk } from "../policy/risk/index.js";
import type { ShellSegment } from "../policy/shell/types.js";
import type { ExecutionMode, RiskLevel } from "../policy/types.js";
import { maxRisk } from "../policy/types.js";
import type { EngineContext } from "./context.js";
import type { Decision } from "./types.js";

export interface DecideInput {
  /** The script to judge (rendered template or ad-hoc line); undefined = nothing runnable. */
  script?: string;
  /** Why there is nothing runnable, when script is undefined. */
  notRunnable?: string;
  commandName: string;
  definitionRisk: RiskLevel;
  executionMode: ExecutionMode;
  permissions: string[];
  role: string;
  cwd: string;
  concepts?: Decision["concepts"];
  /** The definition's resource_limits: a VM placement is refused when no VM of that shape fits the host. */
  resourceLimits?: ResourceLimits;
  /** Refusals found by earlier stages (e.g. unconnected concepts). */
  extraRefusals?: string[];
  now?: Date;
}

/** Ad-hoc shell lines are judged like a `hybrid` command that needs `execute`. */
export const SHELL_LINE_COMMAND = "shell";

/**
 * The policy pipeline for one invocation: shell analysis and risk, blacklist, rules, knowledge
 * concepts, role, time windows, then placement. Every stage adds its reasons; any refusal makes
 * the placement "denied". Rate limits are consumed later, only when something actually runs.
 */
export async function decide(ctx: EngineContext, input: DecideInput): Promise<{ decision: Decision; segments: ShellSegment[] }> {
  const { config } = ctx;
  const refusals: string[] = [...(input.extraRefusals ?? [])];
  const notes: string[] = [];
  const explained = new Set<string>();
  const decision: Decision = {
    risk: input.definitionRisk,
    placement: "denied",
    reasons: [],
    segments: [],
    rules: [],
    concepts: input.concepts ?? { matched: [], missing: [] },
    permissions: { required: input.permissions, granted: [], missing: [] },
    hooks: [],
  };
  if (input.script === undefined) {
    decision.reasons = [input.notRunnable ?? "nothing to run"];
    return { decision, segments: [] };
  }

  // 1. Parse the shell and judge every simple command.
  const analyzer = await ctx.shell();
  const analysis = analyzer.analyze(input.script);
  const riskContext = { workspace: input.cwd, home: process.env.HOME ?? "/root", pathExists: (p: string) => fs.existsSync(p) };
  const assessment = assessRisk(analysis, riskContext, input.definitionRisk);
  decision.risk = maxRisk(assessment.risk, input.definitionRisk);
  decision.segments = assessment.segments.map((s) => ({ argv: s.argv, risk: s.risk, reasons: s.reasons, opaque: s.opaque, text: s.text }));
  notes.push(...assessment.reasons);

  // 2. Blacklist and rules work on the parsed segments, never on the raw text.
  const segments = analysis.segments;
  const policy = await ctx.policy();
  for (const hit of checkBlacklist(segments, policy.blacklist)) refusals.push(hit.reason);
  const verdict = evaluateRules(segments, policy.rules);
  decision.rules = verdict.matched.map((m) => ({ action: m.rule.action, rule: m.rule.id, segment: m.segmentIndex }));
  if (verdict.action === "deny") refusals.push(...verdict.reasons);
  if (verdict.action === "ask") {
    decision.needsConfirmation = true;
    notes.push(...verdict.reasons);
  }
  // An allow rule covering every command of the line lifts the host's risk ceiling to the rule's (never past high).
  const localRiskCeiling = maxRisk(config.policy.local_risk_ceiling, verdict.localRiskCeiling ?? "low");
  if (verdict.action === "allow") notes.push(...verdict.reasons.map((r) => `${r} (may run on the host up to risk ${localRiskCeiling})`));

  // 3. Knowledge-graph concepts required by the definition.
  if (decision.concepts.missing.length) {
    refusals.push(`missing knowledge-graph concepts in role ${input.role}'s graph: ${decision.concepts.missing.join(", ")}`);
  }

  // 4. Role: permissions, risk ceiling, execution modes.
  const role = config.roles[input.role] as RoleConfig | undefined;
  if (!role) {
    refusals.push(`unknown role '${input.role}' (configured: ${Object.keys(config.roles).join(", ") || "none"})`);
  } else {
    decision.permissions.granted = role.permissions;
    decision.permissions.missing = input.permissions.filter((p) => !role.permissions.map((r) => r.toLowerCase()).includes(p.toLowerCase()));
    for (const v of checkRole({ ...role, name: input.role }, { permissions: input.permissions, execution_mode: input.executionMode }, decision.risk)) {
      // Say what made it that risky in the same breath (and then not again among the findings).
      if (v.kind === "risk" && notes[0]) explained.add(notes[0]);
      refusals.push(v.kind === "risk" && notes[0] ? `${v.message} (${notes[0]})` : v.message);
    }
    // 5. Time windows.
    const window = checkTimeWindows({ command: input.commandName, user: ctx.user, role: { name: input.role, config: role }, policy: config.policy }, input.now ?? new Date());
    if (!window.allowed) refusals.push(...window.reasons);
  }

  // 6. Placement. Whether a VM backend works is only asked when the placement needs one: probing
  // backends costs time a command that runs on the host should not pay.
  const placementInput = {
    executionMode: input.executionMode,
    risk: decision.risk,
    opaque: assessment.opaque,
    allowCriticalInVm: config.policy.allow_critical_in_vm,
    localRiskCeiling,
  };
  let placed = decidePlacement({ ...placementInput, vmAvailable: true });
  if (placed.placement === "vm") {
    const vm = await ctx.vm.availability();
    if (!vm.available) placed = decidePlacement({ ...placementInput, vmAvailable: false, vmUnavailableReason: vm.reason });
    else {
      // A guest the host can never hold is refused now, with the reason, not when its VM fails to start.
      const vmTypeName = config.roles[input.role]?.vm_type;
      const problem = await ctx.vm.fitProblem?.(input.resourceLimits, vmTypeName ? config.vm_types[vmTypeName] : undefined);
      if (problem) placed = { placement: "denied", reasons: [...placed.reasons, problem] };
    }
  }
  decision.placement = refusals.length ? "denied" : placed.placement;
  // Most important first: what refused it, then where it goes and why (when placement itself refuses, its
  // last reason is the refusal: "requires a microVM but no VM backend is available"), then what the
  // analysis found.
  const placementReasons = placed.placement === "denied" ? [...placed.reasons].reverse() : placed.reasons;
  decision.reasons = [...new Set([...refusals, ...placementReasons, ...notes.filter((n) => !explained.has(n))])];
  return { decision, segments };
}
