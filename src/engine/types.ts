import type { CommandDefinition } from "../commands/types.js";
import type { ExecOutcome } from "../exec/outcome.js";
import type { AssessedSegment, ShellSegment } from "../policy/shell/types.js";
import type { Placement, RiskLevel } from "../policy/types.js";

/** One thing a user or agent asked to run. */
export type Invocation =
  | { kind: "command"; name: string; args: readonly string[] }
  | { kind: "shell"; line: string };

export interface InvocationOptions {
  role?: string;
  cwd: string;
  /** Answer "ask" rules with yes (non-interactive use). */
  yes?: boolean;
  isTTY?: boolean;
}

export interface ConceptMatch {
  required: string;
  concept: string;
}

/** DESIGN.md §3: everything the pipeline decided, and why. */
export interface Decision {
  risk: RiskLevel;
  placement: Placement;
  /** Human-readable, most important first. */
  reasons: string[];
  segments: Pick<AssessedSegment, "argv" | "risk" | "reasons" | "opaque" | "text">[];
  rules: { action: string; rule: string; segment?: number }[];
  concepts: { matched: ConceptMatch[]; missing: string[] };
  permissions: { required: string[]; granted: string[]; missing: string[] };
  rateLimit?: { key: string; allowed: boolean; retryAfterMs?: number; remaining?: number };
  /** True when an `ask` rule needs a confirmation that was not (yet) given. */
  needsConfirmation?: boolean;
  hooks: unknown[];
}

/** The outcome of planning: what would run, where, and why. */
export interface Plan {
  invocation: Invocation;
  options: InvocationOptions;
  id: string;
  user: string;
  role: string;
  definition?: CommandDefinition;
  /** Bound and coerced parameter values (secrets not yet redacted). */
  parameters: Record<string, unknown>;
  /** The script that would run; undefined if the definition has no template. */
  rendered?: string;
  decision: Decision;
  /** The full parsed segments of `rendered` (hooks need redirects and word facts). */
  segments: ShellSegment[];
}

export interface RunResult extends ExecOutcome {
  id: string;
  placement: Placement;
  /** Backend details when it ran in a VM (backend name, phase timings, guest kernel, ...). */
  vm?: Record<string, unknown>;
  annotations: Record<string, unknown>;
}
