import type { RoleConfig } from "../config-schema.js";

/** The role used when neither `--role` nor the config names one. */
export const DEFAULT_ROLE_NAME = "developer";

/**
 * Built-in roles for the config defaults (a project file overrides them by name).
 * - developer: everyday work; critical commands are out of reach whatever the placement.
 * - viewer: read-only, low risk, may also use VMs.
 *
 * @example builtinRoles()[DEFAULT_ROLE_NAME]?.risk_ceiling // "high"
 */
export function builtinRoles(): Record<string, RoleConfig> {
  // A fresh copy each call: callers merge config over it and must not share arrays.
  return {
    developer: {
      description: "Everyday development: read, write, execute and network, up to high risk",
      permissions: ["read", "write", "execute", "network"],
      risk_ceiling: "high",
      execution_modes: ["local", "hybrid", "firecracker"],
    },
    viewer: {
      description: "Read-only inspection, low risk",
      permissions: ["read"],
      risk_ceiling: "low",
      execution_modes: ["local", "hybrid", "firecracker"],
    },
  };
}
