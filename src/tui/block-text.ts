/**
 * The text of the UI's output blocks, from the CLI's own view functions: the decision header, the rendered
 * script, reasons, refusals, footers. Everything shown passes `shown()`: secret values redacted, control and
 * escape characters made visible (cli/visible.ts), so a command's output cannot drive the terminal.
 */
import { redactSecrets } from "../audit/redact.js";
import type { PlanView, RunResult } from "../engine/types.js";
import type { Output } from "../cli/output.js";
import { runChangesText } from "../cli/view/changes-text.js";
import { errorText } from "../cli/view/error-text.js";
import { elapsedText } from "../cli/view/progress.js";
import { decisionHeader, describePlan, vmFooter } from "../cli/view/plan-text.js";
import { reasonLines } from "../cli/view/reasons-text.js";
import { visibleText } from "../cli/visible.js";

/** Untrusted or secret-bearing text as the UI may show it. */
export function shown(text: string, o: Pick<Output, "color">): string {
  return visibleText(redactSecrets(text), { ownColours: o.color }).replace(/\t/g, "  ");
}

/** An Output for the view functions: the UI collects their text, it never prints through it. */
export function viewOutput(color: boolean): Output {
  return { color, out: () => {}, err: () => {}, json: () => {} };
}

/** Risk at or above medium, an `ask` rule, or a microVM: the run waits for y/n. Low-risk host runs go at once. */
export function needsConfirmation(plan: PlanView): boolean {
  const d = plan.decision;
  if (d.placement === "denied") return false;
  return Boolean(d.needsConfirmation) || d.risk !== "low" || d.placement !== "local";
}

/** The question before a run that waits. */
export function confirmQuestion(plan: PlanView): string {
  const d = plan.decision;
  const why = d.needsConfirmation ? "an ask rule matched" : `${d.risk} risk`;
  return `Run ${plan.command ?? "this shell line"} (${why}, ${d.placement === "vm" ? "microVM" : "host"})? [y/N]`;
}

/** The plan as a run block opens with it: where and why, the concepts, the script (secrets redacted), the reasons. */
export function planLines(o: Output, plan: PlanView, via?: string): string {
  const d = plan.decision;
  const lines = [decisionHeader(o, plan, via, { reasons: false })];
  if (plan.rendered) lines.push(...plan.rendered.replace(/\n+$/, "").split("\n").map((l, i) => `${i === 0 ? "$ " : "  "}${l}`));
  if (d.placement !== "denied" && d.reasons.length) lines.push(...reasonLines(d.reasons));
  return shown(lines.join("\n"), o);
}

/** `/plan` for a named command: the full plan, as `run --plan` shows it. */
export function fullPlanText(o: Output, plan: PlanView, via?: string): string {
  return shown(describePlan(o, plan, via), o);
}

/** A refusal: its reasons most important first and the roles that would allow it. */
export function refusalText(o: Output, refused: { message: string; reasons: string[]; allowed_roles?: string[] }): string {
  return shown(errorText(o, { code: "refused", ...refused }), o);
}

/** The line that closes a run: exit status, duration, placement; then kill reason, VM and changes notes. */
export function resultFooter(o: Output, result: RunResult, label: string): string {
  const status = result.cancelled ? `cancelled (exit ${result.exitCode})` : result.timedOut ? `timed out (exit ${result.exitCode})` : `exit ${result.exitCode}`;
  const mark = result.exitCode === 0 ? "✓" : "✗";
  const lines = [`${mark} ${status} · ${result.durationMs < 1000 ? `${Math.round(result.durationMs)} ms` : elapsedText(result.durationMs)} · ${result.placement === "vm" ? "microVM" : "host"}`];
  if (result.killReason) lines.push(`firebreak: ${label} ${result.killReason}`);
  if (result.vm) lines.push(vmFooter(result.vm));
  if (result.changes) lines.push(runChangesText(o, result.changes));
  return shown(lines.join("\n"), o);
}
