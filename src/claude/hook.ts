/**
 * `firebreak claude hook`: answers one Claude Code hook event with the engine (in the CLI's process, or in
 * the daemon behind `POST /v1/claude/hook`). PreToolUse Bash lines are decided as `policy check` decides
 * them; writes by the file tools to firebreak's and git's control files are denied; PostToolUse events are
 * recorded in the audit log.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { EngineContext } from "../engine/context.js";
import { checkLines } from "../engine/policy-check.js";
import { answerForPolicy, decide, failClosed, type HookEvent, type HookResult, parseHookEvent, WRITE_TOOLS } from "./hook-protocol.js";

export interface HookOptions {
  /** Where the hook runs (used when the event carries no `cwd`). */
  cwd: string;
  /** Rewrite lines placed in a microVM to run through `firebreak sh` instead of asking (also `[claude] vm = true`). */
  vm: boolean;
}

/** Answers one event given as the raw stdin text. Never throws: a failure answers `ask` (see failClosed). */
export async function answerHookEvent(ctx: EngineContext, input: string, options: HookOptions): Promise<HookResult> {
  const parsed = parseHookEvent(input);
  if (!parsed.ok) return failClosed(parsed.error);
  const event = parsed.event;
  const cwd = event.cwd && path.isAbsolute(event.cwd) ? event.cwd : options.cwd;
  try {
    if (event.hook_event_name === "PreToolUse") return await preToolUse(ctx, event, cwd, options);
    if (event.hook_event_name === "PostToolUse") {
      await recordToolUse(ctx, event, cwd);
      return { output: null };
    }
  } catch (error) {
    return failClosed(`${(error as Error)?.message ?? String(error)}`);
  }
  return { output: null, message: `firebreak claude hook: event '${event.hook_event_name}' is not one firebreak answers (PreToolUse, PostToolUse); no decision` };
}

async function preToolUse(ctx: EngineContext, event: HookEvent, cwd: string, options: HookOptions): Promise<HookResult> {
  const input = event.tool_input ?? {};
  if (event.tool_name === "Bash") {
    const line = input.command;
    if (typeof line !== "string" || !line.trim()) return failClosed("field 'tool_input.command' is missing or not a non-empty string");
    const [answer] = await checkLines(ctx, [line], { cwd });
    return { output: answerForPolicy(answer!, input, { ...options, vm: options.vm || ctx.config.claude.vm }) };
  }
  const field = event.tool_name ? WRITE_TOOLS[event.tool_name] : undefined;
  if (field) {
    const file = input[field];
    if (typeof file !== "string" || !file) return failClosed(`field 'tool_input.${field}' is missing or not a string`);
    const reason = protectedPathReason(path.resolve(cwd, file));
    if (reason) return { output: decide("deny", `firebreak: ${event.tool_name} of ${file} is refused: ${reason}`) };
  }
  // Other tools, and writes elsewhere: no opinion, Claude Code's own permissions apply.
  return { output: null };
}

/**
 * Why writing this file would let an agent loosen its own constraints, or undefined. Checked on the path as
 * given and on where it really leads (a symlink into `.git/hooks/` is the same write).
 */
export function protectedPathReason(file: string): string | undefined {
  for (const candidate of new Set([file, realPathOf(file)])) {
    const parts = candidate.split(path.sep);
    const name = parts.at(-1) ?? "";
    if (parts.some((p, i) => p === ".git" && parts[i + 1] === "hooks")) return "git hooks (.git/hooks/) run code on the host at the next git command";
    if (parts.slice(0, -1).includes(".firebreak") || name === ".firebreak") return "firebreak's project directory (.firebreak/) holds its commands and policy";
    if (name === "firebreak.toml") return "firebreak.toml is firebreak's policy";
    if (parts.at(-2) === ".claude" && (name === "settings.json" || name === "settings.local.json")) return "Claude Code's settings hold this hook";
  }
  return undefined;
}

/** The real path of a file that may not exist yet: its deepest existing ancestor resolved, the rest appended. */
function realPathOf(file: string): string {
  let dir = file;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(dir), ...rest);
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return file;
      rest.unshift(path.basename(dir));
      dir = parent;
    }
  }
}

/** A PostToolUse event as an audit record: which tool, with what, and how it ended (not its output). */
async function recordToolUse(ctx: EngineContext, event: HookEvent, cwd: string): Promise<void> {
  if (!ctx.audit) return;
  const input = event.tool_input ?? {};
  const response = typeof event.tool_response === "object" && event.tool_response !== null ? (event.tool_response as Record<string, unknown>) : {};
  const fileField = event.tool_name ? WRITE_TOOLS[event.tool_name] : undefined;
  await ctx.audit.append({
    kind: "agent_tool",
    id: event.tool_use_id ?? randomUUID(),
    user: ctx.user,
    role: ctx.config.default_role,
    command: null,
    definition_sha256: null,
    parameters: {},
    rendered: typeof input.command === "string" ? input.command : null,
    placement: "none",
    risk: "unknown",
    reasons: [],
    extra: {
      agent: "claude-code",
      event: "PostToolUse",
      tool_name: event.tool_name ?? null,
      session_id: event.session_id ?? null,
      cwd,
      ...(fileField && typeof input[fileField] === "string" ? { file: input[fileField] } : {}),
      ...(typeof response.interrupted === "boolean" ? { interrupted: response.interrupted } : {}),
      ...(typeof response.exit_code === "number" ? { exit_code: response.exit_code } : {}),
    },
  });
}
