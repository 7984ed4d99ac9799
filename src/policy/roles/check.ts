import type { RoleConfig } from "../config-schema.js";
import { type ExecutionMode, type RiskLevel, riskRank } from "../types.js";

/** What a role check needs to know about a command. */
export interface CommandRequirements {
  /** The definition's `permissions` (ad-hoc lines: what the line needs, e.g. ["execute"]). */
  permissions: readonly string[];
  execution_mode: ExecutionMode;
}

export type RoleViolationKind = "permission" | "risk" | "execution_mode";

export interface RoleViolation {
  kind: RoleViolationKind;
  message: string;
}

/** The fields of a role the check reads (a parsed `[roles.<name>]`, with defaults applied). */
export type RoleLimits = Pick<RoleConfig, "permissions" | "risk_ceiling" | "execution_modes">;

function normalise(permission: string): string {
  return permission.trim().toLowerCase();
}

/**
 * Checks a command against a role; an empty list means the role may run it.
 * The command's permissions must be a subset of the role's, the assessed risk must not exceed
 * the role's ceiling, and the execution mode must be one the role allows.
 *
 * @example
 * checkRole({ name: "viewer", permissions: ["read"], risk_ceiling: "low", execution_modes: ["local"] },
 *   { permissions: ["read", "write"], execution_mode: "local" }, "low")
 * // [{ kind: "permission", message: "role viewer lacks permission write (has: read)" }]
 */
export function checkRole(
  role: RoleLimits & { name?: string },
  command: CommandRequirements,
  risk: RiskLevel,
): RoleViolation[] {
  const label = role.name ? `role ${role.name}` : "the role";
  const granted = new Set(role.permissions.map(normalise));
  const violations: RoleViolation[] = [];
  const missing = [...new Set(command.permissions.map(normalise))].filter((p) => !granted.has(p));
  for (const permission of missing) {
    violations.push({
      kind: "permission",
      message: `${label} lacks permission ${permission} (has: ${[...granted].join(", ") || "none"})`,
    });
  }
  if (riskRank(risk) > riskRank(role.risk_ceiling)) {
    violations.push({ kind: "risk", message: `risk ${risk} is above ${label}'s ceiling ${role.risk_ceiling}` });
  }
  if (!role.execution_modes.includes(command.execution_mode)) {
    violations.push({
      kind: "execution_mode",
      message: `${label} does not allow execution_mode ${command.execution_mode} (allowed: ${role.execution_modes.join(", ")})`,
    });
  }
  return violations;
}
