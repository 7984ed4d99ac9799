/**
 * How plans and results read on a terminal. Pure functions of serialisable views, so the in-process CLI
 * and the lean daemon client print byte-identical text.
 */
import type { PlanView } from "../../engine/types.js";
import { type Output, paint } from "../output.js";
import { reasonLines } from "./reasons-text.js";

/** "hello-world", or "shell line 'ls -la'" for an ad-hoc line. */
export function commandLabel(plan: Pick<PlanView, "command" | "rendered">): string {
  return plan.command ?? `shell line '${plan.rendered ?? ""}'`;
}

/**
 * One or two lines on stderr before a command runs: where, why, and the concepts. Why it goes to a microVM
 * is listed here; why it is denied is not (the refusal that follows lists it, once), nor under `--plan`
 * (which lists every reason after it).
 */
export function decisionHeader(o: Output, plan: PlanView, via?: string, options: { reasons?: boolean } = {}): string {
  const d = plan.decision;
  const where = d.placement === "local" ? paint(o, "green", "local (host)") : d.placement === "vm" ? paint(o, "blue", "microVM") : paint(o, "red", "denied");
  const lines = [`firebreak: ${commandLabel(plan)} → ${where} · risk ${d.risk} · role ${plan.role}${via ? ` · via ${via}` : ""}`];
  if (d.concepts.matched.length || d.concepts.missing.length) {
    const matched = d.concepts.matched.map((c) => `${c.required}${c.concept !== c.required ? `→${c.concept}` : ""} ✓`);
    const missing = d.concepts.missing.map((c) => `${c} ✗`);
    lines.push(`firebreak: concepts: ${[...matched, ...missing].join(", ")}`);
  }
  if (d.placement === "vm" && options.reasons !== false) lines.push(...reasonLines(d.reasons, "firebreak:   - "));
  return lines.join("\n");
}

/** The full human-readable plan (`--plan`). */
export function describePlan(o: Output, plan: PlanView, via?: string): string {
  const d = plan.decision;
  const lines = [
    decisionHeader(o, plan, via, { reasons: false }),
    "rendered script:",
    ...(plan.rendered ?? "(none)").split("\n").map((l) => `  ${l}`),
    "segments:",
    ...d.segments.map((s) => `  [${s.risk}${s.opaque ? ", opaque" : ""}] ${JSON.stringify(s.argv)}${s.reasons.length ? ` — ${s.reasons.join("; ")}` : ""}`),
    "reasons:",
    ...(d.reasons.length ? d.reasons.map((r) => `  - ${r}`) : ["  (none)"]),
  ];
  if (d.rules.length) lines.push("rules:", ...d.rules.map((r) => `  ${r.action} ${r.rule}${r.segment !== undefined ? ` (segment ${r.segment})` : ""}`));
  return lines.join("\n");
}

/** Where a VM run happened, on stderr after it: backend, kernel, how the VM was made. */
export function vmFooter(vm: Record<string, unknown>): string {
  const restored = vm.restored_from ? `restored from snapshot ${String(vm.restored_from)}${vm.template_created ? " (template just created)" : ""}` : "cold boot";
  const how = vm.origin === "pool" ? `taken warm from the pool (${String(vm.pool_type)}), ${restored}` : restored;
  const unenforced = Array.isArray(vm.unenforced) && vm.unenforced.length ? `; NOT enforced: ${vm.unenforced.map((u: { limit: string; reason: string }) => `${u.limit} (${u.reason})`).join(", ")}` : "";
  const changesError = vm.changes_error ? `\nfirebreak: ${String(vm.changes_error)}` : "";
  return `firebreak: ran in a microVM: ${String(vm.backend)} ${String(vm.vm)}, guest kernel ${String(vm.kernel)}, ${how}, ready in ${String(vm.ready_ms)} ms${unenforced}${changesError}`;
}
