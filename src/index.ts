/**
 * firebreak's public API: the same pipeline the CLI uses, for embedding (an editor, an agent harness).
 *
 * @example
 * import { createContext, planInvocation, executePlan } from "firebreak";
 * const ctx = await createContext({ cwd: process.cwd() });
 * const plan = await planInvocation(ctx, { kind: "shell", line: "rm -rf ~" }, { cwd: process.cwd() });
 * plan.decision.placement; // "denied"
 */
export { AuditLog, type AuditEntry, type AuditRecord, type VerifyReport } from "./audit/index.js";
export { bindArguments, CommandRegistry, compileTemplate, parseDefinition, quoteShellWord, renderTemplate, watchRegistry } from "./commands/index.js";
export type { CommandDefinition, ParameterDefinition } from "./commands/index.js";
export { configSchema, type FirebreakConfig, loadConfig } from "./config/index.js";
export { createContext, type EngineContext } from "./engine/context.js";
export { planInvocation } from "./engine/plan.js";
export { executePlan } from "./engine/run.js";
export type { Decision, Invocation, Plan, RunResult } from "./engine/types.js";
export * from "./errors.js";
export { runLocal } from "./exec/index.js";
export { createMatcher, loadKnowledgeGraph, validateRequiredConcepts } from "./knowledge/index.js";
export { assessRisk } from "./policy/risk/index.js";
export { createShellAnalyzer } from "./policy/shell/index.js";
export type { Placement, RiskLevel } from "./policy/types.js";
export type { VmBackend, VmHandle, VmSpec } from "./vm/backend.js";
export { MicroVmRunner } from "./vm/runner.js";
export { VmRuntime } from "./vm/runtime.js";
