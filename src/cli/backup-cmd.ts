/**
 * `firebreak backup list [--json]` and `firebreak backup restore <id>`: the file backups
 * the `backup` hook made before commands that modify or delete files.
 *
 * @example
 * program.addCommand(backupCommand({ backups: async () => backupService(ctx), stdout: (s) => process.stdout.write(s) }));
 * // $ firebreak backup restore 20261123-101500-a1b2c3
 * // restored 3 path(s), 1024 bytes, from backup 20261123-101500-a1b2c3
 */
import { Command } from "commander";
import { table } from "./output.js";
import type { BackupService } from "../engine/backups.js";

export interface BackupCommandDeps {
  /** The engine's backups (list, manifest, audited restore). */
  backups(): Promise<BackupService>;
  stdout(s: string): void;
}

export function backupCommand(deps: BackupCommandDeps): Command {
  const cmd = new Command("backup").description("list and restore file backups made before destructive commands");
  cmd
    .command("list")
    .description("list backups, oldest first")
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { json?: boolean }) => {
      const backups = await (await deps.backups()).list();
      if (opts.json) return deps.stdout(`${JSON.stringify(backups, null, 2)}\n`);
      if (backups.length === 0) return deps.stdout("no backups\n");
      const rows = [
        ["ID", "CREATED", "COMMAND", "FILES", "BYTES"],
        ...backups.map((b) => [b.id, b.createdAt, b.command, String(b.files), String(b.bytes)]),
      ];
      deps.stdout(`${table(rows)}\n`);
    });
  cmd
    .command("restore")
    .description("put the files of a backup back, byte for byte (checksums verified first)")
    .argument("<id>", "backup id from `firebreak backup list`")
    .option("--dry-run", "show what would be restored")
    .option("--json", "one JSON document on stdout")
    .action(async (id: string, opts: { dryRun?: boolean; json?: boolean }) => {
      if (opts.dryRun) {
        const m = await (await deps.backups()).manifest(id);
        const paths = m.entries.map((e) => `${e.type}\t${e.path}`);
        return deps.stdout(opts.json ? `${JSON.stringify(m, null, 2)}\n` : `${paths.join("\n")}\n`);
      }
      const report = await (await deps.backups()).restore(id);
      if (opts.json) return deps.stdout(`${JSON.stringify(report, null, 2)}\n`);
      deps.stdout(`restored ${report.restored.length} path(s), ${report.bytes} bytes, from backup ${report.id}\n`);
    });
  return cmd;
}
