import type { CommandDefinition } from "../commands/types.js";
import type { RunChanges } from "./changes.js";
import type { ExecOutcome } from "../exec/outcome.js";
import type { AssessedSegment, ShellSegment } from "../policy/shell/types.js";
import type { Placement, RiskLevel } from "../policy/types.js";

/** One thing a user or agent asked to run. */
export type Invocation =
  | { kind: "command"; name: string; args: readonly string[]; /** Already resolved from `name` (saves a second lookup). */ definition?: CommandDefinition }
  | { kind: "shell"; line: string; /** Run it in a microVM even where the policy would allow the host (never the reverse). */ vm?: boolean };

export interface InvocationOptions {
  role?: string;
  cwd: string;
  /** Answer "ask" rules with yes (non-interactive use). */
  yes?: boolean;
  isTTY?: boolean;
  /** The environment the command's own is filtered from ([exec] env_allowlist); default: this process's. */
  env?: NodeJS.ProcessEnv;
}

export interface ConceptMatch {
  required: string;
  concept: string;
}

/** Everything the pipeline decided, and why. */
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

/** A plan as it is shown and sent (`--json`, the HTTP API, events): serialisable, secrets redacted. */
export interface PlanView {
  id: string;
  command: string | null;
  role: string;
  user: string;
  parameters: Record<string, unknown>;
  rendered: string | null;
  decision: Decision;
}

/** How an invocation ended: planned only, refused (nothing ran), or run (possibly cancelled). */
export type InvocationOutcome =
  | { kind: "planned"; plan: Plan }
  | { kind: "refused"; plan: Plan; message: string; reasons: string[]; needsConfirmation?: boolean; /** Other configured roles the policy would allow it for. */ allowedRoles?: string[] }
  | { kind: "completed"; plan: Plan; result: RunResult };

/** How a run ended: the same keys for host and VM runs (`engine/result.ts` builds it). */
export interface RunResult extends Omit<ExecOutcome, "killReason" | "cancelled"> {
  id: string;
  placement: Placement;
  cancelled: boolean;
  /** Why something (timeout, a limit, cancellation) killed the command; null when it ended by itself. */
  killReason: string | null;
  /** True when the captured copy was capped (the live output was complete). */
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** Backend details when it ran in a VM (backend name, phase timings, guest kernel, ...); null on the host. */
  vm: Record<string, unknown> | null;
  annotations: Record<string, unknown>;
  /** What a VM run changed in the workspace, stored as a changeset (and what was applied at once). */
  changes: RunChanges | null;
}
