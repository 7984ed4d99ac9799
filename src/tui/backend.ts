/**
 * What the terminal UI asks of firebreak, answered in this process (tui/local-backend.ts, the engine) or by a
 * running daemon (tui/daemon-backend.ts, its HTTP API over the socket). Both give the engine's own shapes
 * (PlanView, engine events, policy answers), so the UI renders them with the CLI's view functions.
 */
import type { AuditRecord } from "../audit/types.js";
import type { ChangesetSummary } from "../changes/types.js";
import type { RegistryProblems } from "../commands/summary.js";
import type { CommandDefinition } from "../commands/types.js";
import type { EngineEvent } from "../engine/events.js";
import type { PolicyAnswer } from "../engine/plan-view.js";
import type { PlanView } from "../engine/types.js";
import type { CommandInfo, ParamInfo } from "./complete.js";
import type { PoolView } from "./pool.js";

export type RunInput = { kind: "command"; name: string; args: string[] } | { kind: "shell"; line: string };

/** An event of a run as the UI sees it: the engine's, or the daemon failing mid-stream. */
export type UiRunEvent = EngineEvent | { type: "error"; message: string };

/** A decided invocation, not yet run. */
export interface Prepared {
  plan: PlanView;
  /**
   * Runs it where the plan says; a denied plan emits its refusal (reasons, roles that would allow it).
   * `confirmed` answers an `ask` rule; aborting `signal` cancels the run (killed, audited as cancelled).
   */
  run(options: { confirmed: boolean; signal: AbortSignal; emit: (event: UiRunEvent) => void }): Promise<void>;
}

export interface TuiBackend {
  readonly mode: "daemon" | "in-process";
  readonly cwd: string;
  /** The state dir (history lives there). */
  readonly stateDir: string;
  readonly defaultRole: string;
  /** Configured role names (empty until known). */
  roles(): readonly string[];
  /** Every definition (parameters included when they are at hand). */
  commands(): Promise<CommandInfo[]>;
  /** One definition with its parameters; undefined when no such name. */
  describe(name: string): Promise<CommandInfo | undefined>;
  /** Knowledge-graph terms for a prefix (the `kg suggest` ranking); empty until the role's graph is loaded. */
  terms(prefix: string, limit: number): readonly { term: string; concept: string }[];
  /** Loads the role's graph for `terms` (in the background). */
  loadTerms(role: string): Promise<void>;
  prepare(input: RunInput, role: string): Promise<Prepared>;
  check(line: string, role: string): Promise<PolicyAnswer>;
  auditTail(n: number): Promise<AuditRecord[]>;
  changes(): Promise<ChangesetSummary[]>;
  /** The daemon's VM pool; undefined without a daemon or without the endpoint. */
  pool(): Promise<PoolView | undefined>;
  /** Reads the definitions again (the daemon reloads them itself) and says what is wrong with them. */
  reload(): Promise<RegistryProblems>;
  problems(): Promise<RegistryProblems>;
  /** Where `/commands init` writes (the project's `.firebreak/commands/`). */
  projectCommandsDir(): Promise<string>;
}

/** A definition's parameters as completion needs them. */
export function paramInfos(def: Pick<CommandDefinition, "parameters">): ParamInfo[] {
  return def.parameters.map((p) => ({
    name: p.name,
    type: p.type,
    description: p.description,
    allowed_values: p.validation.allowed_values?.map(String),
    secret: p.secret,
    required: p.required,
  }));
}

/** A definition (or its serialised view) as the UI knows it. */
export function commandInfo(def: Pick<CommandDefinition, "qualifiedName" | "aliases" | "description" | "risk_level" | "execution_mode" | "parameters" | "command">): CommandInfo {
  return {
    name: def.qualifiedName,
    aliases: def.aliases,
    description: def.description,
    risk_level: def.risk_level,
    execution_mode: def.execution_mode,
    runnable: def.command !== undefined,
    parameters: paramInfos(def),
  };
}
