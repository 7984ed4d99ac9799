/** Public API of roles: permission, risk-ceiling and execution-mode checks, built-in roles. */
export { type CommandRequirements, checkRole, type RoleLimits, type RoleViolation, type RoleViolationKind } from "./check.js";
export { builtinRoles, DEFAULT_ROLE_NAME } from "./defaults.js";
