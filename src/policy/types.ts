/** Risk levels in increasing order of danger. */
export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Where a command may run: on the host, in a microVM, or nowhere. */
export type Placement = "local" | "vm" | "denied";

/** How high an `allow` rule may lift the local risk ceiling; critical never runs on the host. */
export const ALLOW_CEILINGS = ["low", "medium", "high"] as const;
/** An allow rule's ceiling when it states none. */
export const DEFAULT_ALLOW_CEILING = "medium";

export const EXECUTION_MODES = ["local", "firecracker", "hybrid"] as const;
export type ExecutionMode = (typeof EXECUTION_MODES)[number];

export function riskRank(risk: RiskLevel): number {
  return RISK_LEVELS.indexOf(risk);
}

/** The more dangerous of two risks: analysis can raise a risk, never lower it. */
export function maxRisk(a: RiskLevel, b: RiskLevel): RiskLevel {
  return riskRank(a) >= riskRank(b) ? a : b;
}
