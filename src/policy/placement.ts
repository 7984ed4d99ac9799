import { type ExecutionMode, type Placement, type RiskLevel, riskRank } from "./types.js";

export interface PlacementInput {
  /** The definition's execution_mode (ad-hoc shell lines: "hybrid"). */
  executionMode: ExecutionMode;
  /** Overall assessed risk: max(segments, the definition's risk_level). */
  risk: RiskLevel;
  /** Some segment cannot be known statically: never local. */
  opaque: boolean;
  /** Whether a usable VM backend exists right now. */
  vmAvailable: boolean;
  /** Why no VM backend is usable (shown in the refusal), e.g. "no /dev/kvm and no qemu-system-x86_64". */
  vmUnavailableReason?: string;
  /** `[policy] allow_critical_in_vm`: may a hybrid command assessed critical run in a VM? */
  allowCriticalInVm: boolean;
  /** The highest risk allowed on the host. Default "low". */
  localRiskCeiling?: RiskLevel;
}

export interface PlacementDecision {
  placement: Placement;
  reasons: string[];
}

export const DEFAULT_LOCAL_RISK_CEILING: RiskLevel = "low";

/**
 * Decides where a command runs (the README's "Decisions"):
 * - `firecracker`: always in a VM (whatever the risk — the definition asked for isolation);
 * - `local`: on the host only if the risk is within the local ceiling (default low) and nothing is
 *   opaque; otherwise denied — a local-only command is never moved into a VM behind its author's back;
 * - `hybrid`: within the local ceiling and not opaque: local; above it: VM; critical: denied unless
 *   `allowCriticalInVm`;
 * - a VM is needed but no backend is usable: denied ("requires a microVM but no VM backend is
 *   available: <why>"), never silently local.
 *
 * @example decidePlacement({ executionMode: "hybrid", risk: "high", opaque: false, vmAvailable: true, allowCriticalInVm: false })
 *   // { placement: "vm", reasons: ["hybrid: risk high is above the local ceiling low: runs in a microVM"] }
 */
export function decidePlacement(input: PlacementInput): PlacementDecision {
  const ceiling = input.localRiskCeiling ?? DEFAULT_LOCAL_RISK_CEILING;
  const withinLocal = riskRank(input.risk) <= riskRank(ceiling);
  const localBlockers: string[] = [];
  if (!withinLocal) localBlockers.push(`risk ${input.risk} is above the local ceiling ${ceiling}`);
  if (input.opaque) localBlockers.push("the command line contains parts that cannot be analysed statically (opaque)");

  switch (input.executionMode) {
    case "firecracker":
      return needVm(input, ["execution_mode firecracker: always runs in a microVM"]);
    case "local":
      if (localBlockers.length === 0) return { placement: "local", reasons: [`execution_mode local: risk ${input.risk} runs on the host`] };
      return {
        placement: "denied",
        reasons: localBlockers.map((why) => `execution_mode local, but ${why}: refused (use hybrid or firecracker to run it in a microVM)`),
      };
    case "hybrid":
      if (localBlockers.length === 0) return { placement: "local", reasons: [`hybrid: risk ${input.risk} runs on the host`] };
      if (input.risk === "critical" && !input.allowCriticalInVm) {
        return {
          placement: "denied",
          reasons: ["hybrid: risk critical is refused (set [policy] allow_critical_in_vm = true to run it in a microVM)"],
        };
      }
      return needVm(input, localBlockers.map((why) => `hybrid: ${why}: runs in a microVM`));
  }
}

function needVm(input: PlacementInput, reasons: string[]): PlacementDecision {
  if (input.vmAvailable) return { placement: "vm", reasons };
  const why = input.vmUnavailableReason?.trim() || "no backend reported as usable";
  return { placement: "denied", reasons: [...reasons, `requires a microVM but no VM backend is available: ${why}`] };
}
