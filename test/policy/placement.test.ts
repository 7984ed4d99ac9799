import { describe, expect, it } from "vitest";
import { decidePlacement, type PlacementInput } from "../../src/policy/placement.js";
import { EXECUTION_MODES, type ExecutionMode, type Placement, RISK_LEVELS, type RiskLevel } from "../../src/policy/types.js";

/** The placement rules (README "Decisions"), written independently of the implementation. */
function expected(mode: ExecutionMode, risk: RiskLevel, opaque: boolean, vm: boolean, critInVm: boolean): Placement {
  const needsVm = (): Placement => (vm ? "vm" : "denied");
  if (mode === "firecracker") return needsVm();
  const localOk = risk === "low" && !opaque;
  if (mode === "local") return localOk ? "local" : "denied";
  if (localOk) return "local";
  if (risk === "critical" && !critInVm) return "denied";
  return needsVm();
}

const cases: Array<[ExecutionMode, RiskLevel, boolean, boolean, boolean]> = [];
for (const mode of EXECUTION_MODES)
  for (const risk of RISK_LEVELS)
    for (const opaque of [false, true])
      for (const vm of [true, false]) for (const crit of [false, true]) cases.push([mode, risk, opaque, vm, crit]);

describe("decidePlacement", () => {
  it.each(cases)("mode %s risk %s opaque %s vm %s criticalInVm %s", (mode, risk, opaque, vm, crit) => {
    const decision = decidePlacement({ executionMode: mode, risk, opaque, vmAvailable: vm, allowCriticalInVm: crit });
    expect(decision.placement).toBe(expected(mode, risk, opaque, vm, crit));
    expect(decision.reasons.length).toBeGreaterThan(0);
  });

  const base: PlacementInput = { executionMode: "hybrid", risk: "low", opaque: false, vmAvailable: true, allowCriticalInVm: false };

  it("refuses with the backend's reason when a VM is needed but none is usable", () => {
    const decision = decidePlacement({ ...base, risk: "high", vmAvailable: false, vmUnavailableReason: "no /dev/kvm and no qemu" });
    expect(decision.placement).toBe("denied");
    expect(decision.reasons).toContain("requires a microVM but no VM backend is available: no /dev/kvm and no qemu");
    const noWhy = decidePlacement({ ...base, executionMode: "firecracker", vmAvailable: false });
    expect(noWhy.reasons.at(-1)).toMatch(/^requires a microVM but no VM backend is available: \S/);
  });

  it("explains why a local command is refused", () => {
    const decision = decidePlacement({ ...base, executionMode: "local", risk: "medium", opaque: true });
    expect(decision.placement).toBe("denied");
    expect(decision.reasons.join("\n")).toMatch(/risk medium is above the local ceiling low/);
    expect(decision.reasons.join("\n")).toMatch(/opaque/);
  });

  it("points at allow_critical_in_vm when a hybrid critical command is refused", () => {
    expect(decidePlacement({ ...base, risk: "critical" }).reasons.join()).toMatch(/allow_critical_in_vm/);
  });

  it("honours a raised local ceiling, but never runs opaque lines locally", () => {
    expect(decidePlacement({ ...base, risk: "medium", localRiskCeiling: "medium" }).placement).toBe("local");
    expect(decidePlacement({ ...base, executionMode: "local", risk: "medium", localRiskCeiling: "medium" }).placement).toBe("local");
    expect(decidePlacement({ ...base, risk: "low", opaque: true, localRiskCeiling: "critical" }).placement).toBe("vm");
    expect(decidePlacement({ ...base, risk: "high", localRiskCeiling: "medium" }).placement).toBe("vm");
  });
});
