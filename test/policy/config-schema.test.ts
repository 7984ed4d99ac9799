import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { policySchema, roleSchema, roleShape } from "../../src/policy/config-schema.js";

const TOML = `
[policy]
allow_critical_in_vm = true
blacklist = ["mkfs *", "rm -rf /"]

[[policy.rules]]
id = "no-force-push"
action = "Deny"
pattern = ["git push --force *", "git push -f *"]
reason = "rewrites shared history"
match = ["git push --force origin main"]
not_match = ["git push origin main"]

[[policy.rules]]
action = "allow"
pattern = "git status *"

[policy.rate_limits.deploy]
per_minute = 1

[policy.rate_limits."*"]
per_hour = 100
burst = 10
scope = "global"

[policy.time_windows.deploy]
days = ["mon-fri"]
hours = "09:00-17:00"
timezone = "Europe/Berlin"

[roles.ops]
permissions = ["Read", "write", "execute", "network"]
risk_ceiling = "High"
execution_modes = ["Hybrid", "firecracker"]
vm_type = "large"
time_window = { days = ["mon", "tue"], hours = ["22:00-06:00", "12:00-13:00"] }
`;

describe("policySchema", () => {
  const doc = parseToml(TOML) as { policy: unknown; roles: { ops: unknown } };

  it("parses a full [policy] section, normalising case", () => {
    const policy = policySchema.parse(doc.policy);
    expect(policy.allow_critical_in_vm).toBe(true);
    expect(policy.rules[0]?.action).toBe("deny");
    expect(policy.rules[1]).toEqual({ action: "allow", pattern: "git status *", match: [], not_match: [] });
    expect(policy.rate_limits.deploy).toEqual({ per_minute: 1, scope: "user" });
    expect(policy.rate_limits["*"]).toEqual({ per_hour: 100, burst: 10, scope: "global" });
    expect(policy.time_windows.deploy?.timezone).toBe("Europe/Berlin");
  });

  it("defaults an empty section to no rules, no limits, no critical in VMs and only low risk on the host", () => {
    expect(policySchema.parse({})).toEqual({ rules: [], blacklist: [], rate_limits: {}, time_windows: {}, allow_critical_in_vm: false, local_risk_ceiling: "low" });
  });

  it.each([
    [{ rules: [{ action: "permit", pattern: "ls" }] }, "rules.0.action"],
    [{ rules: [{ action: "allow", pattern: "ls", not_matches: ["x"] }] }, "rules.0"],
    [{ rules: [{ action: "deny", pattern: "a | b" }] }, "rules.0.pattern"],
    [{ rules: [{ action: "deny", pattern: [] }] }, "rules.0.pattern"],
    [{ blacklist: [""] }, "blacklist.0"],
    [{ rate_limits: { deploy: { burst: 2 } } }, "rate_limits.deploy"],
    [{ rate_limits: { deploy: { per_minute: 0 } } }, "rate_limits.deploy.per_minute"],
    [{ rate_limits: { deploy: { per_minut: 1, per_hour: 1 } } }, "rate_limits.deploy"],
    [{ time_windows: { x: { timezone: "Mars/Olympus" } } }, "time_windows.x.timezone"],
    [{ time_windows: { x: { days: ["funday"] } } }, "time_windows.x.days.0"],
    [{ time_windows: { x: { hours: "9-17" } } }, "time_windows.x.hours"],
    [{ time_windows: { x: { hours: "10:00-10:00" } } }, "time_windows.x.hours"],
    [{ time_windows: { x: { hours: "10:00-24:30" } } }, "time_windows.x.hours"],
  ])("rejects %j at %s", (input, path) => {
    const result = policySchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toContain(path);
  });
});

describe("roleSchema", () => {
  it("parses a role, keeps keys other areas add, and fails closed by default", () => {
    const doc = parseToml(TOML) as { roles: { ops: unknown } };
    const ops = roleSchema.parse(doc.roles.ops);
    expect(ops.permissions).toEqual(["read", "write", "execute", "network"]);
    expect(ops.risk_ceiling).toBe("high");
    expect(ops.execution_modes).toEqual(["hybrid", "firecracker"]);
    expect((ops as Record<string, unknown>).vm_type).toBe("large");
    expect(roleSchema.parse({})).toEqual({ permissions: [], risk_ceiling: "low", execution_modes: ["local", "hybrid", "firecracker"] });
  });

  it("rejects unknown risk levels and execution modes", () => {
    expect(roleSchema.safeParse({ risk_ceiling: "extreme" }).success).toBe(false);
    expect(roleSchema.safeParse({ execution_modes: ["docker"] }).success).toBe(false);
    expect(roleSchema.safeParse({ execution_modes: [] }).success).toBe(false);
  });

  it("can be extended by other areas through the exported shape", () => {
    const extended = z.object({ ...roleShape, vm_type: z.string() });
    expect(extended.safeParse({}).success).toBe(false);
    expect(roleSchema.extend({ vm_type: z.string() }).parse({ vm_type: "small" }).vm_type).toBe("small");
  });

  it("exports to JSON Schema", () => {
    const schema = z.toJSONSchema(z.object({ policy: policySchema, roles: z.record(z.string(), roleSchema) }), { io: "input" });
    expect(JSON.stringify(schema)).toContain("allow_critical_in_vm");
    expect(JSON.stringify(z.toJSONSchema(policySchema))).toContain("per_minute");
  });
});

describe("allow rules' local_risk_ceiling", () => {
  it("defaults to medium on allow rules, is refused on other actions, and never reaches critical", async () => {
    const { policySchema: schema } = await import("../../src/policy/config-schema.js");
    const { compileRules: compile } = await import("../../src/policy/rules/compile.js");
    const parsed = schema.parse({ rules: [{ action: "allow", pattern: "npm test *" }, { action: "allow", pattern: "make *", local_risk_ceiling: "High" }] });
    expect(compile(parsed.rules).map((r) => r.localRiskCeiling)).toEqual(["medium", "high"]);
    const onDeny = schema.safeParse({ rules: [{ action: "deny", pattern: "rm *", local_risk_ceiling: "low" }] });
    expect(onDeny.error?.issues[0]).toMatchObject({ path: ["rules", 0, "local_risk_ceiling"], message: expect.stringContaining("only an allow rule") });
    expect(schema.safeParse({ rules: [{ action: "allow", pattern: "x *", local_risk_ceiling: "critical" }] }).success).toBe(false);
  });
});
