import type { PlanView, RunResult } from "./types.js";

/**
 * What one invocation reports while it happens, in order: its plan, hook outcomes and log lines, VM
 * phases, live output, and finally exactly one `result` or `refused`. The CLI, the HTTP API (as NDJSON),
 * and later the terminal UI and MCP server are views of this one stream.
 */
export type EngineEvent =
  | { type: "plan"; plan: PlanView }
  | { type: "log"; message: string }
  | { type: "hook"; phase: "pre" | "post"; records: unknown[] }
  | { type: "vm_phase"; phase: string; ms: number }
  /** Waiting for microVM capacity: `ahead` requests are before this one in the queue. */
  | { type: "queued"; ahead: number }
  | { type: "output"; stream: "stdout" | "stderr"; chunk: Buffer }
  | { type: "refused"; message: string; reasons: string[]; needs_confirmation?: boolean; /** Other roles that would allow it. */ allowed_roles?: string[] }
  | { type: "result"; result: RunResult };

export type EmitEvent = (event: EngineEvent) => void;

/** An emitter that drops everything (planning-only callers, tests). */
export const ignoreEvents: EmitEvent = () => {};
