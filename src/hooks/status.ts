import { presetBuiltins, presetNames } from "./build.js";
import type { HooksConfig } from "./config.js";
import { BUILTIN_HOOK_NAMES, type BuiltinHookName } from "./presets.js";

/** Whether one built-in hook runs for a preset, and why (`firebreak hooks list`). */
export interface BuiltinHookStatus {
  name: BuiltinHookName;
  active: boolean;
  why: string;
}

/**
 * All seven built-ins for one preset, active ones first (in the built-ins' order), each with the reason: in
 * the preset, not in it (and which presets have it), or switched off by `[hooks.<name>] enabled = false`.
 *
 * @example
 * builtinStatus(config, "default").find((s) => s.name === "git")
 * // { name: "git", active: false, why: "not in preset default (in: development, production)" }
 */
export function builtinStatus(config: HooksConfig, preset: string): BuiltinHookStatus[] {
  const inPreset = new Set(presetBuiltins(config, preset));
  const statuses = BUILTIN_HOOK_NAMES.map((name): BuiltinHookStatus => {
    if (!config[name].enabled) return { name, active: false, why: `disabled ([hooks.${name}] enabled = false)` };
    if (inPreset.has(name)) return { name, active: true, why: `in preset ${preset}` };
    const others = presetNames(config).filter((p) => p !== preset && presetBuiltins(config, p).includes(name));
    return { name, active: false, why: `not in preset ${preset}${others.length ? ` (in: ${others.join(", ")})` : ""}` };
  });
  return [...statuses.filter((s) => s.active), ...statuses.filter((s) => !s.active)];
}
