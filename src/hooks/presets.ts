/**
 * Built-in hook names, their default priorities/timeouts, and the preset sets.
 *
 * Priorities (higher runs first): logging records the attempt before anything can block;
 * preflight blocks before costly work; backup and git snapshot only what may really run.
 */

export const BUILTIN_HOOK_NAMES = [
  "logging",
  "preflight",
  "environment",
  "backup",
  "resource-monitor",
  "notification",
  "git",
] as const;
export type BuiltinHookName = (typeof BUILTIN_HOOK_NAMES)[number];

export function isBuiltinHookName(name: string): name is BuiltinHookName {
  return (BUILTIN_HOOK_NAMES as readonly string[]).includes(name);
}

export const DEFAULT_PRIORITY: Record<BuiltinHookName, number> = {
  logging: 10_000,
  preflight: 1_000,
  environment: 900,
  backup: 500,
  git: 400,
  notification: 300,
  "resource-monitor": 0,
};

export const DEFAULT_TIMEOUT_MS: Record<BuiltinHookName, number> = {
  logging: 2_000,
  preflight: 2_000,
  environment: 1_000,
  backup: 120_000,
  git: 30_000,
  // Notification computes its own budget from retries; this is only the floor.
  notification: 5_000,
  "resource-monitor": 1_000,
};

/**
 * The preset sets. `default` enforces and records; `development` adds work-protection
 * (git snapshot state, file backups); `production` runs all seven, including webhooks.
 * A `[hooks.presets]` table in the config replaces a preset's list or defines new presets.
 */
export const DEFAULT_PRESETS: Record<string, BuiltinHookName[]> = {
  default: ["logging", "preflight", "environment", "resource-monitor"],
  development: ["logging", "preflight", "environment", "resource-monitor", "git", "backup"],
  production: ["logging", "preflight", "environment", "resource-monitor", "git", "backup", "notification"],
};

/**
 * What every built-in hook shares: its name, and priority and timeout from its config section or the defaults.
 *
 * @example { ...builtinIdentity("backup", config.backup), phases: ["pre"], run }
 */
export function builtinIdentity(name: BuiltinHookName, config: { priority?: number; timeout_ms?: number }) {
  return {
    name,
    priority: config.priority ?? DEFAULT_PRIORITY[name],
    timeoutMs: config.timeout_ms ?? DEFAULT_TIMEOUT_MS[name],
    source: "builtin" as const,
  };
}

/** Every preset a role may name: the built-in defaults and those `[hooks] presets` defines. */
export function knownPresetNames(configured: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(DEFAULT_PRESETS), ...Object.keys(configured)])].sort();
}
