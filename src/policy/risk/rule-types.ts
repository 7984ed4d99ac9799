/** The shape of a risk rule: data (id, family, risk, reason) plus one predicate over parsed facts. */
import type { RiskLevel } from "../types.js";
import type { LineView, SegmentView } from "./segment-view.js";

/** The families of issue 4, point 2, plus the structural ones (opaque, unknown). */
export type RiskFamily =
  | "opaque"
  | "destructive-files"
  | "disk"
  | "privilege"
  | "system-state"
  | "git-history"
  | "remote-code"
  | "exfiltration"
  | "fork-bomb"
  | "startup-files"
  | "critical-paths"
  | "network"
  | "packages"
  | "environment"
  | "read-only"
  | "unknown";

export interface RiskRule {
  id: string;
  family: RiskFamily;
  risk: RiskLevel;
  /** Human-readable; a detail returned by `applies` is appended after a colon. */
  reason: string;
  /** Only applies when no other rule matched the segment (the default for unknown commands). */
  fallback?: boolean;
  /** Returns true or a detail string (e.g. the offending path) when the rule applies. */
  applies(segment: SegmentView, line: LineView): boolean | string | undefined;
}
