/**
 * Builds the hooks of one preset from the `[hooks]` config.
 *
 * A preset names built-ins (config `presets` replaces the defaults per name); a built-in
 * with `enabled = false` is dropped everywhere; external hooks join every preset unless
 * they list their own `presets`.
 *
 * @example
 * const hooks = buildHooks(parseHooksConfig(raw.hooks), { preset: role.hooks ?? "default", baseDir: configDir });
 * const pipeline = createHookPipeline(hooks, { failClosedAtRisk: config.fail_closed_at });
 */
import { homedir } from "node:os";
import { ConfigError } from "../errors.js";
import { createBackupHook } from "./builtin/backup.js";
import { createEnvironmentHook } from "./builtin/environment.js";
import { createGitHook } from "./builtin/git.js";
import { createLoggingHook, type LoggingHookDeps } from "./builtin/logging.js";
import { createNotificationHook } from "./builtin/notification.js";
import { createPreflightHook } from "./builtin/preflight.js";
import { createResourceMonitorHook } from "./builtin/resource-monitor.js";
import type { HooksConfig } from "./config.js";
import { createExternalHook } from "./external.js";
import { type BuiltinHookName, DEFAULT_PRESETS } from "./presets.js";
import type { Hook } from "./types.js";

export interface BuildHooksOptions {
  /** The role's preset; default "default". */
  preset?: string;
  /** Directory relative external `program` paths resolve against (the config file's directory). */
  baseDir?: string;
  home?: string;
  logging?: LoggingHookDeps;
}

/** The built-in names of a preset (config overrides first, then the defaults). */
export function presetBuiltins(config: HooksConfig, preset: string): BuiltinHookName[] {
  const names = config.presets[preset] ?? DEFAULT_PRESETS[preset];
  if (!names) {
    const known = [...new Set([...Object.keys(DEFAULT_PRESETS), ...Object.keys(config.presets)])].sort();
    throw new ConfigError(`unknown hook preset ${preset} (known: ${known.join(", ")})`, { field: "hooks.presets" });
  }
  return names as BuiltinHookName[];
}

export function presetNames(config: HooksConfig): string[] {
  return [...new Set([...Object.keys(DEFAULT_PRESETS), ...Object.keys(config.presets)])].sort();
}

function createBuiltin(name: BuiltinHookName, config: HooksConfig, opts: BuildHooksOptions): Hook {
  switch (name) {
    case "logging":
      return createLoggingHook(config.logging, opts.logging);
    case "preflight":
      return createPreflightHook(config.preflight);
    case "environment":
      return createEnvironmentHook(config.environment);
    case "backup":
      return createBackupHook(config.backup, { home: opts.home ?? homedir() });
    case "resource-monitor":
      return createResourceMonitorHook(config["resource-monitor"]);
    case "notification":
      return createNotificationHook(config.notification);
    case "git":
      return createGitHook(config.git);
  }
}

export function buildHooks(config: HooksConfig, opts: BuildHooksOptions = {}): Hook[] {
  const preset = opts.preset ?? "default";
  const hooks: Hook[] = [];
  for (const name of new Set(presetBuiltins(config, preset))) {
    if (config[name].enabled) hooks.push(createBuiltin(name, config, opts));
  }
  for (const ext of config.external) {
    if (!ext.enabled || (ext.presets && !ext.presets.includes(preset))) continue;
    hooks.push(createExternalHook(ext, opts.baseDir ?? process.cwd()));
  }
  return hooks;
}
