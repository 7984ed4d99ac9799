import { Command } from "commander";
import { AuditDisabledError, EXIT } from "../errors.js";
import { recordCount } from "./options.js";
import type { CliDeps } from "./deps.js";
import { auditTable, verifyText } from "./view/audit-text.js";

export function auditCommand(deps: CliDeps): Command {
  const cmd = new Command("audit").description("read and verify the append-only audit log");
  const o = deps.output;
  cmd
    .command("tail")
    .description("show the last records")
    .option("-n, --lines <n>", "how many records", "10")
    .option("--json", "one JSON document (an array) on stdout")
    .action(async (opts: { lines: string; json?: boolean }, self: Command) => {
      const n = recordCount(opts.lines);
      const ctx = await deps.context(self.parent!.parent!);
      if (!ctx.audit) throw new AuditDisabledError();
      const records = ctx.audit.tail(n);
      if (opts.json) return o.json(records);
      o.out(auditTable(records));
    });
  cmd
    .command("verify")
    .description("check the hash chain; exit 1 at the first broken or missing link")
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { json?: boolean }, self: Command) => {
      const ctx = await deps.context(self.parent!.parent!);
      if (!ctx.audit) throw new AuditDisabledError();
      const report = ctx.audit.verify();
      if (opts.json) o.json({ file: ctx.audit.file, ...report });
      else o.out(verifyText(o, ctx.audit.file, report));
      if (!report.ok) deps.setExitStatus(EXIT.FAILURE);
    });
  return cmd;
}
