import { describe, expect, it } from "vitest";
import { roleSchema } from "../../src/policy/config-schema.js";
import { checkRole } from "../../src/policy/roles/check.js";
import { builtinRoles, DEFAULT_ROLE_NAME } from "../../src/policy/roles/defaults.js";

const viewer = { name: "viewer", permissions: ["read"], risk_ceiling: "low" as const, execution_modes: ["local" as const] };

describe("checkRole", () => {
  it("allows a command within the role", () => {
    expect(checkRole(viewer, { permissions: ["read"], execution_mode: "local" }, "low")).toEqual([]);
    expect(checkRole(viewer, { permissions: [], execution_mode: "local" }, "low")).toEqual([]);
  });

  it("reports each missing permission, case-insensitively", () => {
    const violations = checkRole(viewer, { permissions: ["READ", "write", "network", "write"], execution_mode: "local" }, "low");
    expect(violations).toEqual([
      { kind: "permission", message: "role viewer lacks permission write (has: read)" },
      { kind: "permission", message: "role viewer lacks permission network (has: read)" },
    ]);
  });

  it("reports a risk above the ceiling and a disallowed execution mode", () => {
    const violations = checkRole(viewer, { permissions: ["read"], execution_mode: "firecracker" }, "medium");
    expect(violations.map((v) => v.kind)).toEqual(["risk", "execution_mode"]);
    expect(violations[0]?.message).toBe("risk medium is above role viewer's ceiling low");
    expect(violations[1]?.message).toBe("role viewer does not allow execution_mode firecracker (allowed: local)");
  });

  it("accepts a risk equal to the ceiling", () => {
    expect(checkRole({ ...viewer, risk_ceiling: "high" }, { permissions: [], execution_mode: "local" }, "high")).toEqual([]);
    expect(checkRole({ ...viewer, risk_ceiling: "high" }, { permissions: [], execution_mode: "local" }, "critical")).toHaveLength(1);
  });
});

describe("built-in roles", () => {
  it("has a default developer role that validates against the role schema and runs the seed commands' permissions", () => {
    const roles = builtinRoles();
    const developer = roles[DEFAULT_ROLE_NAME];
    expect(developer).toBeDefined();
    expect(roleSchema.parse(developer)).toEqual(developer);
    expect(checkRole(developer!, { permissions: ["read", "write", "execute"], execution_mode: "hybrid" }, "high")).toEqual([]);
    expect(checkRole(developer!, { permissions: ["read"], execution_mode: "hybrid" }, "critical")).toHaveLength(1);
  });

  it("returns fresh objects so callers cannot corrupt the defaults", () => {
    builtinRoles().developer?.permissions.push("root");
    expect(builtinRoles().developer?.permissions).not.toContain("root");
  });
});
