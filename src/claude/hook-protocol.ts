/**
 * Claude Code's hook protocol (https://code.claude.com/docs/en/hooks): the event JSON a hook reads on stdin,
 * the answer it prints, and how a firebreak policy answer maps onto `allow` / `deny` / `ask`. Pure data and
 * functions with no engine: the lean daemon client bundles this file.
 */
import type { PolicyAnswer } from "../engine/plan-view.js";

/** The fields of a hook event firebreak reads (Claude Code sends more; they are ignored). */
export interface HookEvent {
  hook_event_name: string;
  tool_name?: string;
  tool_input?: Record<string, unknown>;
  tool_response?: unknown;
  tool_use_id?: string;
  session_id?: string;
  cwd?: string;
}

export type PermissionDecision = "allow" | "deny" | "ask";

/** What the hook prints on stdout (PreToolUse); null prints nothing (no opinion: Claude Code's own flow applies). */
export interface HookOutput {
  hookSpecificOutput: {
    hookEventName: "PreToolUse";
    permissionDecision: PermissionDecision;
    permissionDecisionReason: string;
    updatedInput?: Record<string, unknown>;
  };
}

/** One hook call's answer: the document for stdout (or none) and a message for stderr (or none). */
export interface HookResult {
  output: HookOutput | null;
  message?: string;
}

export type ParsedEvent = { ok: true; event: HookEvent } | { ok: false; error: string };

/** The tools whose writes the hook checks against the protected paths, and the input field naming the file. */
export const WRITE_TOOLS: Record<string, string> = { Write: "file_path", Edit: "file_path", MultiEdit: "file_path", NotebookEdit: "notebook_path" };

/** Parses the event JSON; a failure names the field that is missing or of the wrong type. */
export function parseHookEvent(text: string): ParsedEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `the hook input is not JSON (${(error as Error).message})` };
  }
  if (!isObject(value)) return { ok: false, error: "the hook input is not a JSON object" };
  if (typeof value.hook_event_name !== "string") return { ok: false, error: "field 'hook_event_name' is missing or not a string" };
  for (const field of ["tool_name", "tool_use_id", "session_id", "cwd"] as const) {
    if (value[field] !== undefined && typeof value[field] !== "string") return { ok: false, error: `field '${field}' is not a string` };
  }
  if (value.tool_input !== undefined && !isObject(value.tool_input)) return { ok: false, error: "field 'tool_input' is not an object" };
  return { ok: true, event: value as unknown as HookEvent };
}

/** A PreToolUse answer. */
export function decide(permissionDecision: PermissionDecision, reason: string, updatedInput?: Record<string, unknown>): HookOutput {
  return { hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision, permissionDecisionReason: reason, ...(updatedInput ? { updatedInput } : {}) } };
}

/**
 * Input the hook cannot read (or firebreak failing to decide) fails closed: `ask` puts the user in the loop.
 * Not `allow` (that would wave through what nobody checked), not `deny` (a firebreak bug would then block
 * every command with no way for the user to go on), and never a crash (a non-zero exit other than 2 is a
 * non-blocking error to Claude Code: the tool would run unchecked).
 */
export function failClosed(problem: string): HookResult {
  return { output: decide("ask", `firebreak could not check this: ${problem}`), message: `firebreak claude hook: ${problem}` };
}

/**
 * How a policy answer for a Bash line becomes Claude Code's decision (the README documents it):
 * denied → deny; an `ask` rule → ask; placed in a microVM → with `vm`, allow rewritten to run through
 * `firebreak sh` (which decides again and runs it in the VM), without it ask (the host is not where the
 * policy would run it); on the host → allow.
 */
export function answerForPolicy(answer: PolicyAnswer, toolInput: Record<string, unknown>, options: { vm: boolean }): HookOutput {
  const why = answer.reasons.length ? `: ${answer.reasons.join("; ")}` : "";
  if (answer.placement === "denied") return decide("deny", `firebreak denies this command (risk ${answer.risk})${why}`);
  if (answer.rules.some((r) => r.action === "ask")) return decide("ask", `firebreak: a policy rule asks for confirmation (risk ${answer.risk})${why}`);
  if (answer.placement === "vm") {
    if (options.vm) return decide("allow", `firebreak runs this in a microVM (risk ${answer.risk})${why}`, { ...toolInput, command: viaFirebreakSh(answer.line) });
    return decide("ask", `firebreak would run this only in a microVM (risk ${answer.risk}); it would run on the host here${why}`);
  }
  return decide("allow", `firebreak: runs on the host (risk ${answer.risk})`);
}

/** `firebreak sh -- '<line>'`, the line single-quoted for the shell (a `'` becomes `'\''`). */
export function viaFirebreakSh(line: string): string {
  return `firebreak sh -- '${line.replaceAll("'", "'\\''")}'`;
}

/** The hook's stdout: one JSON line, or nothing. */
export function hookStdout(result: HookResult): string {
  return result.output ? `${JSON.stringify(result.output)}\n` : "";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
