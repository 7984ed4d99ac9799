import path from "node:path";
import { UsageError } from "../errors.js";
import { buildHooks } from "../hooks/build.js";
import { describeHooks } from "../hooks/pipeline.js";
import { type BuiltinHookStatus, builtinStatus } from "../hooks/status.js";
import type { HookListRow } from "../hooks/types.js";
import type { EngineContext } from "./context.js";

/** The directory relative paths in the config (external hook programs) are resolved against. */
export function configDir(ctx: EngineContext): string {
  const file = ctx.loaded.sources.at(-1)?.file;
  return file && !file.startsWith("<") ? path.dirname(file) : ctx.loaded.projectRoot;
}

/** What `firebreak hooks list` shows for a role: its pipeline in execution order, and every built-in's status. */
export interface RoleHookListing {
  role: string;
  preset: string;
  pipeline: HookListRow[];
  builtins: BuiltinHookStatus[];
}

/** The hook pipeline a role's invocations go through, in execution order, and why each built-in is (not) in it. */
export function listRoleHooks(ctx: EngineContext, roleName?: string): RoleHookListing {
  const name = roleName ?? ctx.config.default_role;
  const role = ctx.config.roles[name];
  if (!role) throw new UsageError(`unknown role '${name}' (configured: ${Object.keys(ctx.config.roles).join(", ")})`);
  const preset = role.hooks ?? "default";
  return {
    role: name,
    preset,
    pipeline: describeHooks(buildHooks(ctx.config.hooks, { preset, baseDir: configDir(ctx) })),
    builtins: builtinStatus(ctx.config.hooks, preset),
  };
}
