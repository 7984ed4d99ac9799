import type { PolicyAnswer } from "../../engine/plan-view.js";
import { type Output, paint } from "../output.js";

/** One line per answer for `policy check --stdin` without --json. */
export function policyLine(answer: PolicyAnswer): string {
  return `${answer.placement.padEnd(6)} ${answer.risk.padEnd(8)} ${answer.line}`;
}

/** The full answer for one line: placement, segments, reasons. */
export function policyText(o: Output, answer: PolicyAnswer): string {
  const colour = answer.placement === "local" ? "green" : answer.placement === "vm" ? "blue" : "red";
  const lines = [`${paint(o, colour, answer.placement)} · risk ${answer.risk}`];
  for (const s of answer.segments) lines.push(`  [${s.risk}${s.opaque ? ", opaque" : ""}] ${JSON.stringify(s.argv)}${s.reasons.length ? ` — ${s.reasons.join("; ")}` : ""}`);
  for (const r of answer.reasons) lines.push(`  - ${r}`);
  return lines.join("\n");
}
