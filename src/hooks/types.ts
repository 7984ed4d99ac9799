/**
 * The contract between the engine and the hook pipeline.
 *
 * The engine builds one {@link HookContext} per phase of an invocation: `pre` after the
 * policy decision and before execution, `post` after execution (with `result`). Hooks
 * answer with a {@link HookOutcome}; the pipeline turns every outcome into a
 * {@link HookRecord} for the audit log.
 */
import type { ShellSegment } from "../policy/shell/types.js";
import type { Placement, RiskLevel } from "../policy/types.js";

export type HookPhase = "pre" | "post";
export const HOOK_PHASES = ["pre", "post"] as const;

/** Resource limits as written in a command definition (`resource_limits`). */
export interface HookResourceLimits {
  max_memory_mb?: number;
  /** Seconds of CPU time for the whole process tree. */
  max_cpu_time?: number;
  max_disk_mb?: number;
  network_access?: boolean;
}

export interface HookCommandInfo {
  name: string;
  permissions: string[];
  riskLevel: RiskLevel;
  resourceLimits?: HookResourceLimits;
}

/** What the command did; only present in the `post` phase. */
export interface HookCommandResult {
  exitCode: number;
  signal?: string | null;
  durationMs: number;
  stdoutBytes: number;
  stderrBytes: number;
  timedOut: boolean;
  placement: Placement;
}

export interface HookContext {
  phase: HookPhase;
  invocationId: string;
  command: HookCommandInfo;
  parameters: Record<string, unknown>;
  /** The rendered shell script that runs (or ran). */
  rendered: string;
  decision: { risk: RiskLevel; placement: Placement; reasons: string[] };
  /** Parsed simple commands of `rendered` (from the policy shell parser). */
  segments: ShellSegment[];
  cwd: string;
  workspace: string;
  role: string;
  user: string;
  /** firebreak's state directory (backups live under `<stateDir>/backups`). */
  stateDir: string;
  result?: HookCommandResult;
}

export type HookAction = "continue" | "block" | "modify";

export interface HookOutcome {
  action: HookAction;
  /** Why it blocked; for other actions a message kept in the audit record. */
  reason?: string;
  /** Extra environment for the process that runs (honoured in the `pre` phase). */
  env?: Record<string, string>;
  /** Facts for the audit record, stored under the hook's name. */
  annotations?: Record<string, unknown>;
}

export type HookRecordAction = HookAction | "error" | "timeout" | "warn";

/** One hook outcome as it goes into the audit record. */
export interface HookRecord {
  name: string;
  phase: HookPhase;
  action: HookRecordAction;
  durationMs: number;
  message?: string;
}

/** The locally spawned process, as the engine hands it to monitors. */
export interface SpawnedProcess {
  pid: number;
  /** Kill the process tree; `reason` becomes the stated exit reason. */
  kill(reason: string): void;
}

export interface ProcessMonitor {
  /** Stop watching; resolves to facts for the audit record (peaks, kill reason). */
  stop(): Promise<Record<string, unknown>>;
}

/** Where a hook comes from, for `firebreak hooks list`. */
export type HookSource = "builtin" | `external:${string}`;

export interface Hook {
  name: string;
  phases: HookPhase[];
  /** Higher runs first; ties are ordered by name. */
  priority: number;
  timeoutMs: number;
  source?: HookSource;
  /** Optional filter: when it returns false the hook is skipped and leaves no record. */
  matches?(ctx: HookContext): boolean;
  /** `signal` aborts when the pipeline gives up on the hook (timeout): stop work, kill children. */
  run(ctx: HookContext, signal?: AbortSignal): Promise<HookOutcome>;
  /** Optional: called once the local process is spawned; returns a monitor. */
  onSpawn?(ctx: HookContext, proc: SpawnedProcess): ProcessMonitor;
}

/** One line of `firebreak hooks list`. */
export interface HookListRow {
  phase: HookPhase | "spawn";
  priority: number;
  name: string;
  timeoutMs: number;
  source: HookSource;
}
