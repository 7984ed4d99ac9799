import path from "node:path";
import { UsageError } from "../errors.js";
import { buildHooks } from "../hooks/build.js";
import { describeHooks } from "../hooks/pipeline.js";
import type { HookListRow } from "../hooks/types.js";
import type { EngineContext } from "./context.js";

/** The directory relative paths in the config (external hook programs) are resolved against. */
export function configDir(ctx: EngineContext): string {
  const file = ctx.loaded.sources.at(-1)?.file;
  return file && !file.startsWith("<") ? path.dirname(file) : ctx.loaded.projectRoot;
}

/** The hook pipeline a role's invocations go through, in execution order (`firebreak hooks list`). */
export function listRoleHooks(ctx: EngineContext, roleName?: string): HookListRow[] {
  const name = roleName ?? ctx.config.default_role;
  const role = ctx.config.roles[name];
  if (!role) throw new UsageError(`unknown role '${name}' (configured: ${Object.keys(ctx.config.roles).join(", ")})`);
  return describeHooks(buildHooks(ctx.config.hooks, { preset: role.hooks ?? "default", baseDir: configDir(ctx) }));
}
