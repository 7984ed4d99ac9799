/**
 * `firebreak claude install`: merges firebreak's hook into a Claude Code `settings.json`
 * (`hooks.<Event>[] = { matcher, hooks: [{ type: "command", command }] }`). Idempotent: firebreak's own entries are
 * replaced, everything else is kept; the file as it was is kept next to it before any change.
 */
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";

/** The command every installed entry starts with: how firebreak recognises its own entries on a reinstall. */
export const HOOK_COMMAND = "firebreak claude hook";

/** The tools firebreak's hook answers for: Bash lines and the file tools' writes. */
export const HOOK_MATCHER = "Bash|Write|Edit|MultiEdit|NotebookEdit";

const EVENTS = ["PreToolUse", "PostToolUse"] as const;

interface HookGroup {
  matcher?: string;
  hooks?: { type?: string; command?: string }[];
}

/** Where `--project` and `--user` install: the project's `.claude/settings.json`, or the user's. */
export function settingsFile(scope: "project" | "user", cwd: string, env: NodeJS.ProcessEnv): string {
  if (scope === "project") return path.join(cwd, ".claude", "settings.json");
  return path.join(env.CLAUDE_CONFIG_DIR || path.join(env.HOME ?? "/root", ".claude"), "settings.json");
}

/** The settings with firebreak's hook entries (and only one of each) in place. */
export function mergeHookSettings(settings: Record<string, unknown>, command: string, file = "settings.json"): Record<string, unknown> {
  const hooks = settings.hooks ?? {};
  if (typeof hooks !== "object" || Array.isArray(hooks)) throw new ConfigError("is not an object", { file, field: "hooks" });
  const merged: Record<string, unknown> = { ...(hooks as Record<string, unknown>) };
  for (const event of EVENTS) {
    const groups = merged[event] ?? [];
    if (!Array.isArray(groups)) throw new ConfigError("is not an array", { file, field: `hooks.${event}` });
    const others = (groups as HookGroup[]).flatMap((g) => {
      if (!Array.isArray(g?.hooks)) return [g];
      const kept = g.hooks.filter((h) => !isFirebreakHook(h));
      return kept.length === g.hooks.length ? [g] : kept.length ? [{ ...g, hooks: kept }] : [];
    });
    merged[event] = [...others, { matcher: HOOK_MATCHER, hooks: [{ type: "command", command }] }];
  }
  return { ...settings, hooks: merged };
}

/**
 * Writes the merged settings (atomically); the previous file is kept as `<file>.bak` when anything changes.
 * Returns what happened, for the CLI to say.
 */
export function installHookSettings(file: string, command: string): { changed: boolean; backup?: string } {
  const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  let settings: unknown = {};
  if (before?.trim()) {
    try {
      settings = JSON.parse(before);
    } catch (cause) {
      throw new ConfigError(`is not JSON (${(cause as Error).message}); fix it or move it away, firebreak does not overwrite it`, { file }, { cause });
    }
  }
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) throw new ConfigError("is not a JSON object", { file });
  const after = `${JSON.stringify(mergeHookSettings(settings as Record<string, unknown>, command, file), null, 2)}\n`;
  if (after === before) return { changed: false };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let backup: string | undefined;
  if (before !== undefined) {
    backup = `${file}.bak`;
    fs.writeFileSync(backup, before);
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, after);
  fs.renameSync(tmp, file);
  return { changed: true, backup };
}

function isFirebreakHook(h: { command?: unknown } | undefined): boolean {
  return typeof h?.command === "string" && (h.command === HOOK_COMMAND || h.command.startsWith(`${HOOK_COMMAND} `));
}
