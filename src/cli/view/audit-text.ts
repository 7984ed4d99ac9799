import type { AuditRecord, VerifyReport } from "../../audit/types.js";
import { type Output, paint, table } from "../output.js";

/** `audit tail`: one row per record. */
export function auditTable(records: readonly AuditRecord[]): string {
  return table([
    ["SEQ", "TIME", "KIND", "COMMAND", "WHERE", "RISK", "EXIT", "REASON"],
    ...records.map((r) => [
      String(r.seq),
      r.time,
      r.kind,
      r.command ?? (r.rendered ? `sh: ${r.rendered.slice(0, 30)}` : "-"),
      r.placement,
      r.risk,
      r.exit_status === undefined || r.exit_status === null ? "-" : String(r.exit_status),
      r.kind === "refused" ? (r.reasons[0] ?? "") : "",
    ]),
  ]);
}

/** `audit verify`: ok with the count, or where the chain breaks. */
export function verifyText(o: Output, file: string, report: VerifyReport): string {
  if (report.ok) return `${paint(o, "green", "ok")}: ${report.records} records, chain intact (${file})`;
  const p = report.problem!;
  return `${paint(o, "red", "broken")}: ${file}:${p.line}${p.seq ? ` (seq ${p.seq})` : ""}: ${p.message}; ${report.records} records before it are intact`;
}
