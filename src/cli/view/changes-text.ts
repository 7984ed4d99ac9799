import type { ApplyReport, Changeset, ChangesetSummary } from "../../changes/types.js";
import type { RunChanges } from "../../engine/changes.js";
import { type Output, paint, table } from "../output.js";

const MAX_LISTED = 20;

function counts(c: { added: number; modified: number; deleted: number }): string {
  const parts = [c.added && `${c.added} added`, c.modified && `${c.modified} modified`, c.deleted && `${c.deleted} deleted`].filter(Boolean);
  return parts.length ? parts.join(", ") : "no files";
}

function listed(prefix: string, items: { path: string; reason?: string }[]): string[] {
  const lines = items.slice(0, MAX_LISTED).map((i) => `${prefix}${i.path}${i.reason ? ` (${i.reason})` : ""}`);
  if (items.length > MAX_LISTED) lines.push(`${prefix}... and ${items.length - MAX_LISTED} more`);
  return lines;
}

/** The outermost paths: a new directory stands for everything applied inside it. */
function outermost(paths: string[]): string[] {
  const kept: string[] = [];
  for (const p of [...paths].sort()) if (!kept.some((k) => p.startsWith(`${k}/`))) kept.push(p);
  return kept;
}

/** After a microVM run, on stderr: what it changed, what was applied at once, and what waits. */
export function runChangesText(o: Output, c: RunChanges): string {
  const lines = [`firebreak: the microVM run changed the workspace copy (${counts(c)}): changeset ${c.id}`];
  if (c.applied.length) {
    const roots = outermost(c.applied);
    const more = roots.length > 5 ? `, and ${roots.length - 5} more` : "";
    lines.push(`firebreak: applied to the host (${c.mode === "auto" ? "apply_changes = auto" : "the command's artifacts"}): ${roots.slice(0, 5).join(", ")}${more}${c.applied.length > roots.length ? ` (${c.applied.length} paths)` : ""}`);
  }
  lines.push(...listed(paint(o, "yellow", "firebreak: conflict, not applied: "), c.conflicts));
  lines.push(...listed("firebreak: not brought back: ", c.skipped));
  if (c.protected) lines.push(paint(o, "yellow", `firebreak: ${c.protected} change(s) to protected paths (.git/, .firebreak/, firebreak.toml or [vm] protected_paths) are applied only with --include-protected`));
  if (c.pending && c.mode !== "ask") lines.push(`firebreak: ${c.pending} change(s) stored, not applied ([vm] apply_changes = "${c.mode}"): review with 'firebreak changes show ${c.id} --diff', apply with 'firebreak changes apply ${c.id}'`);
  return lines.join("\n");
}

/** The one line a run without a terminal prints for changes that wait. */
export function storedChangesLine(c: RunChanges): string {
  return `firebreak: ${c.pending} change(s) stored, not applied: review with 'firebreak changes show ${c.id} --diff', apply with 'firebreak changes apply ${c.id}'`;
}

/** The question a terminal gets for a run's pending changes. */
export function applyQuestion(c: RunChanges, workspace: string): string {
  return `Apply ${c.pending} change(s) from the microVM run to ${workspace}?`;
}

/** `firebreak changes list`. */
export function changesListText(items: ChangesetSummary[]): string {
  if (!items.length) return "no changesets (a microVM run that changes its workspace copy leaves one)";
  return table([
    ["ID", "STATUS", "CHANGES", "COMMAND", "WORKSPACE"],
    ...items.map((s) => [s.id, s.status, `${counts(s)}${s.protected ? `, ${s.protected} protected` : ""}`, s.command, s.workspace]),
  ]);
}

/** `firebreak changes show <id>`: one line per change, then what earlier applies did. */
export function changesetText(cs: Changeset): string {
  const lines = [`changeset ${cs.id} (${cs.status}) from ${cs.command}, ${cs.createdAt}`, `workspace: ${cs.workspace}`];
  const sign = { added: "A", modified: "M", deleted: "D" } as const;
  for (const e of cs.entries) {
    const what = e.type === "symlink" && e.kind !== "deleted" ? ` -> ${e.target}` : e.type === "dir" ? "/" : e.modeOnly ? ` (mode ${(e.mode ?? 0).toString(8)})` : e.size !== undefined ? ` (${e.size} bytes)` : "";
    const tags = [e.protected && "protected", e.artifact && "artifact"].filter(Boolean);
    lines.push(`  ${sign[e.kind]} ${e.path}${what}${tags.length ? `  [${tags.join(", ")}]` : ""}`);
  }
  if (!cs.entries.length) lines.push("  (no changes brought back)");
  if (cs.skipped.length) lines.push("not brought back:", ...cs.skipped.map((s) => `  ${s.path} (${s.reason})`));
  for (const a of cs.applications) lines.push(`applied ${a.at}: ${a.applied.length} path(s)${a.backupId ? `, previous contents in backup ${a.backupId}` : ""}`);
  return lines.join("\n");
}

/** What `changes apply` did. */
export function applyReportText(o: Output, cs: Changeset, r: ApplyReport): string {
  const lines = [`applied ${r.applied.length} change(s) from changeset ${cs.id} to ${cs.workspace}`];
  lines.push(...listed("  applied: ", r.applied.map((path) => ({ path }))));
  lines.push(...listed(paint(o, "yellow", "  conflict, not applied: "), r.conflicts));
  lines.push(...listed(paint(o, "yellow", "  refused: "), r.refused));
  if (r.backupId) lines.push(`previous contents saved: undo with 'firebreak backup restore ${r.backupId}'`);
  if (cs.status === "partial") lines.push(`the rest stays pending: 'firebreak changes show ${cs.id}'`);
  return lines.join("\n");
}
