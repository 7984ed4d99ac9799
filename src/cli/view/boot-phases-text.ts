import type { BootAnalysis, PhaseAnalysis } from "../../vm/phases/analyze.js";
import { type Output, paint, table } from "../output.js";

const dash = (n: number | undefined, fmt: (n: number) => string = String) => (n === undefined ? "-" : fmt(n));

function markOf(o: Pick<Output, "color">, p: PhaseAnalysis): string {
  if (p.slowest) return paint(o, "yellow", `<- slowest${p.cause ? `: ${p.cause}` : ""}`);
  return p.cause ? `slow: ${p.cause}` : "";
}

/**
 * `firebreak vm boot --analyze`: one line for the VM, the phases as a table (reached at, took, median, ratio), the
 * slowest marked with its cause, then the notes.
 *
 * @example
 * o.out(bootAnalysisText(o, { vm: "3f2a", analysis }));
 */
export function bootAnalysisText(o: Pick<Output, "color">, report: { vm: string; analysis: BootAnalysis }): string {
  const a = report.analysis;
  const verb = a.kind === "boot" ? "booted" : "restored";
  const on = `${a.backend}${a.accel ? ` (${a.accel})` : ""}, ${a.shape.vcpus} vCPU, ${a.shape.memoryMb} MiB`;
  const versus = a.ready.median_ms === undefined ? "" : ` (median of the last ${a.compared}: ${a.ready.median_ms} ms${a.ready.ratio === undefined ? "" : `, x${a.ready.ratio.toFixed(2)}`})`;
  const rows = [
    ["PHASE", "AT MS", "TOOK MS", "MEDIAN MS", "RATIO", ""],
    ...a.phases.map((p) => [p.phase, String(p.at_ms), String(p.duration_ms), dash(p.median_ms), dash(p.ratio, (r) => r.toFixed(2)), markOf(o, p)]),
  ];
  const lines = [`${verb} VM ${report.vm} with ${on}: agent ready in ${a.ready.ms} ms${versus}`, table(rows)];
  for (const note of a.notes) lines.push(`note: ${note}`);
  return lines.join("\n");
}
