import { Command } from "commander";
import { FirebreakError, UsageError } from "../errors.js";
import type { CliDeps } from "./deps.js";
import { paint, table } from "./output.js";

export function auditCommand(deps: CliDeps): Command {
  const cmd = new Command("audit").description("read and verify the append-only audit log");
  const o = deps.output;
  cmd
    .command("tail")
    .description("show the last records")
    .option("-n, --lines <n>", "how many records", "10")
    .option("--json", "one JSON document (an array) on stdout")
    .action(async (opts: { lines: string; json?: boolean }, self: Command) => {
      const n = Number(opts.lines);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`-n must be a positive whole number, got '${opts.lines}'`);
      const ctx = await deps.context(self.parent!.parent!);
      if (!ctx.audit) throw new FirebreakError("the audit log is disabled ([audit] enabled = false)");
      const records = ctx.audit.tail(n);
      if (opts.json) return o.json(records);
      const rows = [
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
      ];
      o.out(table(rows));
    });
  cmd
    .command("verify")
    .description("check the hash chain; exit 1 at the first broken or missing link")
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { json?: boolean }, self: Command) => {
      const ctx = await deps.context(self.parent!.parent!);
      if (!ctx.audit) throw new FirebreakError("the audit log is disabled ([audit] enabled = false)");
      const report = ctx.audit.verify();
      if (opts.json) o.json({ file: ctx.audit.file, ...report });
      else if (report.ok) o.out(`${paint(o, "green", "ok")}: ${report.records} records, chain intact (${ctx.audit.file})`);
      else o.out(`${paint(o, "red", "broken")}: ${ctx.audit.file}:${report.problem!.line}${report.problem!.seq ? ` (seq ${report.problem!.seq})` : ""}: ${report.problem!.message}; ${report.records} records before it are intact`);
      if (!report.ok) process.exitCode = 1;
    });
  return cmd;
}
