/**
 * `backup`: before a command that would modify or delete files inside the workspace,
 * copies them to `<stateDir>/backups/<id>/` with a manifest (path, sha256, mode, size).
 * `firebreak backup restore <id>` puts them back byte for byte.
 *
 * Skipped for microVM placements: the VM works on a copy of the workspace and nothing syncs back, so the
 * host's files cannot change. An I/O failure throws: the pipeline then blocks high-risk commands (fail closed).
 */
import { homedir } from "node:os";
import { createBackup, pruneBackups } from "../backup/store.js";
import { resolveTargets, wordTargets } from "../backup/targets.js";
import type { BackupConfig } from "../config.js";
import { builtinIdentity, } from "../presets.js";
import type { Hook } from "../types.js";

const MIB = 1024 * 1024;

export function createBackupHook(config: BackupConfig, deps: { home?: string } = {}): Hook {
  const home = deps.home ?? homedir();
  return {
    ...builtinIdentity("backup", config),
    phases: ["pre"],
    async run(ctx) {
      if (ctx.decision.placement === "vm") return { action: "continue", annotations: { skipped: "runs in a microVM on a copy of the workspace" } };
      const words = wordTargets(ctx.segments);
      if (words.length === 0) return { action: "continue" };
      const { paths, unresolved } = await resolveTargets(words, ctx.cwd, home);
      const manifest = await createBackup(ctx.stateDir, {
        paths,
        workspace: ctx.workspace,
        cwd: ctx.cwd,
        invocationId: ctx.invocationId,
        command: ctx.command.name,
        maxFileBytes: config.max_file_mb * MIB,
        maxTotalBytes: config.max_total_mb * MIB,
      });
      const annotations: Record<string, unknown> = {};
      if (unresolved.length > 0) annotations.unresolved = unresolved;
      if (!manifest) return { action: "continue", annotations: { ...annotations, files: 0 } };
      await pruneBackups(ctx.stateDir, config.keep);
      const files = manifest.entries.filter((e) => e.type === "file");
      Object.assign(annotations, {
        id: manifest.id,
        files: files.length,
        bytes: files.reduce((n, e) => n + (e.size ?? 0), 0),
        paths: manifest.entries.slice(0, 50).map((e) => e.path),
      });
      if (manifest.skipped.length > 0) annotations.skipped = manifest.skipped.slice(0, 50);
      return {
        action: "continue",
        reason: `backup ${manifest.id}: ${files.length} file(s); restore with: firebreak backup restore ${manifest.id}`,
        annotations,
      };
    },
  };
}
