import fs from "node:fs";
import path from "node:path";
import { type ApplyOptions, applyChangeset } from "../changes/apply.js";
import { ChangesetStore } from "../changes/store.js";
import { snapshotHost } from "../changes/host-state.js";
import { pathMatcher, protectionOf } from "../changes/path-safety.js";
import { type ApplyMode, type ApplyReport, type Changeset, type ChangesetSummary, type HostState, summarize } from "../changes/types.js";
import type { CaptureOptions, CapturedChanges } from "../vm/workspace-changes.js";
import { ChangesError } from "../errors.js";
import { createBackup } from "../hooks/backup/store.js";
import { auditWorkspaceAction } from "./audit-action.js";
import type { EngineContext } from "./context.js";
import { execFileAsync } from "../exec/exec-file.js";

/** A diff longer than this is cut (the rest is one line saying so). */
const MAX_DIFF_BYTES = 256 * 1024;

type ChangesContext = Pick<EngineContext, "stateDir" | "audit" | "user" | "config">;

/** The changesets microVM runs left, as the CLI and the API see them; every apply and discard is audited. */
export interface ChangesService {
  list(): ChangesetSummary[];
  show(id: string): Changeset;
  /** A unified diff of the changeset against the host's current files (`diff -u`), text files only. */
  diff(id: string): Promise<string>;
  apply(id: string, options?: { includeProtected?: boolean; only?: ApplyOptions["only"] }): Promise<{ changeset: Changeset; report: ApplyReport }>;
  discard(id: string): Promise<Changeset>;
}

/**
 * @example
 * const changes = changesService(ctx);
 * const { report } = await changes.apply("20261201-101500-a1b2c3");
 */
export function changesService(ctx: ChangesContext): ChangesService {
  const store = new ChangesetStore(ctx.stateDir);
  return {
    list: () => store.list(),
    show: (id) => store.load(id),
    diff: async (id) => diffText(store, store.load(id)),
    apply: async (id, options = {}) => {
      const cs = store.load(id);
      const report = await applyChangeset(store, cs, {
        includeProtected: options.includeProtected,
        only: options.only,
        backup: async (paths) => {
          const manifest = await createBackup(ctx.stateDir, {
            paths: paths.map((p) => ({ path: p, command: "changes apply", follow: false, recursive: false })),
            workspace: cs.workspace,
            cwd: cs.workspace,
            invocationId: cs.invocationId,
            command: `firebreak changes apply ${cs.id}`,
          });
          return manifest?.id ?? null;
        },
      });
      await auditChanges(ctx, cs, "apply", [
        `firebreak changes apply ${cs.id}: ${report.applied.length} applied, ${report.conflicts.length} conflict(s), ${report.refused.length} refused`,
      ], { applied: report.applied, conflicts: report.conflicts, refused: report.refused, backup: report.backupId, include_protected: Boolean(options.includeProtected) });
      return { changeset: cs, report };
    },
    discard: async (id) => {
      const cs = store.discard(store.load(id));
      await auditChanges(ctx, cs, "discard", [`firebreak changes discard ${cs.id}: ${cs.entries.length} change(s) dropped`], {});
      return cs;
    },
  };
}

/** Which apply mode a run's changes get: the role's, else the command's, else `[vm] apply_changes`. */
export function applyModeFor(ctx: Pick<EngineContext, "config">, role: string, command: { apply_changes?: ApplyMode } | undefined): ApplyMode {
  return ctx.config.roles[role]?.apply_changes ?? command?.apply_changes ?? ctx.config.vm.apply_changes;
}

async function auditChanges(ctx: ChangesContext, cs: Changeset, action: "apply" | "discard", reasons: string[], details: Record<string, unknown>): Promise<void> {
  await auditWorkspaceAction(ctx, reasons, { changeset: { action, id: cs.id, invocation: cs.invocationId, workspace: cs.workspace, ...details } });
}

async function diffText(store: ChangesetStore, cs: Changeset): Promise<string> {
  const parts: string[] = [];
  let size = 0;
  for (const e of cs.entries) {
    if (size > MAX_DIFF_BYTES) {
      parts.push(`... diff cut at ${MAX_DIFF_BYTES} bytes; 'firebreak changes show ${cs.id} --json' lists every change\n`);
      break;
    }
    const text = await entryDiff(store, cs, e);
    size += text.length;
    parts.push(text);
  }
  return parts.join("");
}

async function entryDiff(store: ChangesetStore, cs: Changeset, e: Changeset["entries"][number]): Promise<string> {
  const label = `${e.kind} ${e.path}`;
  if (e.type === "symlink") return `${label} -> ${e.target ?? "(removed)"}\n`;
  if (e.type === "dir") return `${label}/\n`;
  if (e.modeOnly) return `${label}: mode ${e.base ? (e.base.mode & 0o7777).toString(8) : "?"} -> ${(e.mode ?? 0).toString(8)}\n`;
  const host = path.join(cs.workspace, e.path);
  const before = e.base?.type === "file" && fs.existsSync(host) ? host : "/dev/null";
  const after = e.kind === "deleted" || !e.sha256 ? "/dev/null" : store.blobPath(cs, e.sha256);
  try {
    await execFileAsync("diff", ["-u", "--label", `a/${e.path}`, "--label", `b/${e.path}`, before, after], { maxBuffer: 8 * MAX_DIFF_BYTES });
    return "";
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; message: string };
    if (failure.code === 1) return failure.stdout ?? "";
    if (failure.code === 2 && /Binary files/.test(failure.stdout ?? "")) return `${label}: binary file\n`;
    throw new ChangesError(`changeset ${cs.id}: cannot diff ${e.path}: ${failure.message}`, { cause: error });
  }
}

/** A run's changeset as its result shows it (serialisable: the daemon sends it as is). */
export interface RunChanges {
  id: string;
  mode: ApplyMode;
  status: Changeset["status"];
  added: number;
  modified: number;
  deleted: number;
  protected: number;
  /** Entries still waiting to be applied. */
  pending: number;
  /** What was applied at once (artifacts, or everything with `auto`). */
  applied: string[];
  conflicts: ApplyReport["conflicts"];
  refused: ApplyReport["refused"];
  skipped: Changeset["skipped"];
  backupId: string | null;
}

/** What the engine prepares before a VM run so its changes can be measured: the host's state at copy-in. */
export interface ChangeCapture {
  hostSnapshot: Map<string, HostState>;
  options: CaptureOptions;
}

export function prepareChangeCapture(ctx: Pick<EngineContext, "stateDir" | "config">, invocationId: string, workspace: string): ChangeCapture {
  const store = new ChangesetStore(ctx.stateDir);
  const isProtected = pathMatcher(ctx.config.vm.protected_paths);
  return {
    hostSnapshot: snapshotHost(workspace, ctx.config.vm.copy_exclude),
    options: {
      blobDir: path.join(store.stagingDir(invocationId), "blobs"),
      maxBytes: ctx.config.vm.changes_max_mb * 1048576,
      exclude: ctx.config.vm.copy_exclude,
      isProtected: (rel) => protectionOf(rel, isProtected) !== undefined,
    },
  };
}

/**
 * Stores what a VM run changed as a changeset and applies what its mode says at once: everything with `auto`, the
 * definition's `artifacts` unless the mode is `never`. Protected paths are never applied here.
 */
export async function recordRunChanges(
  ctx: ChangesContext,
  run: { invocationId: string; command: string; workspace: string; role: string; definition?: { artifacts: string[]; apply_changes?: ApplyMode } },
  capture: ChangeCapture,
  captured: CapturedChanges | undefined,
): Promise<RunChanges | undefined> {
  const store = new ChangesetStore(ctx.stateDir);
  if (!captured) {
    fs.rmSync(store.stagingDir(run.invocationId), { recursive: true, force: true });
    return undefined;
  }
  const cs = store.create({
    invocationId: run.invocationId,
    command: run.command,
    workspace: run.workspace,
    changes: captured.changes,
    skipped: captured.skipped,
    hostSnapshot: capture.hostSnapshot,
    protectedPaths: ctx.config.vm.protected_paths,
    artifacts: run.definition?.artifacts ?? [],
  });
  if (!cs) return undefined;
  store.prune(ctx.config.vm.changes_keep);
  const mode = applyModeFor(ctx, run.role, run.definition);
  let report: ApplyReport | undefined;
  const service = changesService(ctx);
  if (mode === "auto") report = (await service.apply(cs.id)).report;
  else if (mode === "ask" && cs.entries.some((e) => e.artifact)) report = (await service.apply(cs.id, { only: (e) => e.artifact === true })).report;
  const now = store.load(cs.id);
  const applied = new Set(now.applications.flatMap((a) => a.applied));
  const s = summarize(now);
  return {
    id: now.id,
    mode,
    status: now.status,
    added: s.added,
    modified: s.modified,
    deleted: s.deleted,
    protected: s.protected,
    pending: now.entries.filter((e) => !applied.has(e.path)).length,
    applied: report?.applied ?? [],
    conflicts: report?.conflicts ?? [],
    refused: report?.refused ?? [],
    skipped: now.skipped,
    backupId: report?.backupId ?? null,
  };
}
