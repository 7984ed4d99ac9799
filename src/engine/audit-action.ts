import { randomUUID } from "node:crypto";
import type { AuditLog } from "../audit/log.js";

/**
 * Records something firebreak itself did to the workspace (a backup restored, a changeset applied or discarded): it
 * changes files like a command would, so it belongs on the record, as a local run of no command.
 *
 * @example
 * await auditWorkspaceAction(ctx, [`firebreak backup restore ${id}: restored 3 path(s)`], { backup_restore: { id } });
 */
export async function auditWorkspaceAction(
  ctx: { audit: AuditLog | null; user: string; config?: { default_role: string } },
  reasons: string[],
  extra: Record<string, unknown>,
): Promise<void> {
  await ctx.audit?.append({
    kind: "run",
    id: randomUUID(),
    user: ctx.user,
    role: ctx.config?.default_role ?? "",
    command: null,
    definition_sha256: null,
    parameters: {},
    rendered: null,
    placement: "local",
    risk: "low",
    reasons,
    exit_status: 0,
    extra,
  });
}
