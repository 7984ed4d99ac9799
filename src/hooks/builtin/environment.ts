/**
 * `environment`: adds configured variables plus FIREBREAK_USER, FIREBREAK_ROLE,
 * FIREBREAK_COMMAND and FIREBREAK_INVOCATION_ID to the environment of the command.
 *
 * @example
 * // [hooks.environment] vars = { DEPLOY_ENV = "staging" }
 * // -> { action: "modify", env: { DEPLOY_ENV: "staging", FIREBREAK_USER: "ana", ... } }
 */
import type { EnvironmentConfig } from "../config.js";
import { DEFAULT_PRIORITY, DEFAULT_TIMEOUT_MS } from "../presets.js";
import type { Hook } from "../types.js";

export function createEnvironmentHook(config: EnvironmentConfig): Hook {
  return {
    name: "environment",
    phases: ["pre"],
    priority: config.priority ?? DEFAULT_PRIORITY.environment,
    timeoutMs: config.timeout_ms ?? DEFAULT_TIMEOUT_MS.environment,
    source: "builtin",
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
