import type { AuditLog } from "../audit/log.js";
import { auditWorkspaceAction } from "./audit-action.js";
import { type BackupManifest, type BackupSummary, listBackups, readManifest, type RestoreReport, restoreBackup } from "../hooks/backup/store.js";

/** The backups the backup hook made, as the CLI and the API see them; a restore is audited. */
export interface BackupService {
  list(): Promise<BackupSummary[]>;
  manifest(id: string): Promise<BackupManifest>;
  restore(id: string): Promise<RestoreReport>;
}

/**
 * @example
 * const backups = backupService(ctx);
 * await backups.restore("20261123-101500-a1b2c3");
 */
export function backupService(ctx: { stateDir: string; audit: AuditLog | null; user: string; config?: { default_role: string } }): BackupService {
  return {
    list: () => listBackups(ctx.stateDir),
    manifest: (id) => readManifest(ctx.stateDir, id),
    restore: async (id) => {
      const report = await restoreBackup(ctx.stateDir, id);
      await auditWorkspaceAction(ctx, [`firebreak backup restore ${id}: restored ${report.restored.length} path(s), ${report.bytes} bytes`], {
        backup_restore: { id, restored: report.restored },
      });
      return report;
    },
  };
}
