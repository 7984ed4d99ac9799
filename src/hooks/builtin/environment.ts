/**
 * `environment`: adds configured variables plus FIREBREAK_USER, FIREBREAK_ROLE,
 * FIREBREAK_COMMAND and FIREBREAK_INVOCATION_ID to the environment of the command.
 *
 * @example
 * // [hooks.environment] vars = { DEPLOY_ENV = "staging" }
 * // -> { action: "modify", env: { DEPLOY_ENV: "staging", FIREBREAK_USER: "ana", ... } }
 */
import type { EnvironmentConfig } from "../config.js";
import { builtinIdentity, } from "../presets.js";
import type { Hook } from "../types.js";

export function createEnvironmentHook(config: EnvironmentConfig): Hook {
  return {
    ...builtinIdentity("environment", config),
    phases: ["pre"],
    async run(ctx) {
      const env: Record<string, string> = {
        ...config.vars,
        FIREBREAK_USER: ctx.user,
        FIREBREAK_ROLE: ctx.role,
        FIREBREAK_COMMAND: ctx.command.name,
        FIREBREAK_INVOCATION_ID: ctx.invocationId,
      };
      return { action: "modify", env, annotations: { variables: Object.keys(env).sort() } };
    },
  };
}
