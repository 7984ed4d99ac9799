import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { type CallToolResult, ElicitResultSchema, type ServerNotification, type ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { EngineEvent } from "../engine/events.js";
import { invoke } from "../engine/invoke.js";
import type { Invocation } from "../engine/types.js";
import { errorResult, outcomeResult } from "./results.js";
import type { McpSource } from "./source.js";

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Progress messages carry at most this much of the latest output line. */
const PROGRESS_LINE_CHARS = 200;
/** At most one progress notification per this many ms (a chatty command must not flood the client). */
const PROGRESS_INTERVAL_MS = 200;

/**
 * Runs one invocation for a tool call: the engine decides and runs it exactly as `firebreak run` would. The
 * call's abort signal (the client's `notifications/cancelled`, or the connection closing) cancels the run, which
 * kills its process group or VM and audits it as cancelled. An `ask` rule is put to the user through
 * elicitation when the client supports it, else refused as needing confirmation.
 */
export async function runInvocation(source: McpSource, invocation: Invocation, extra: ToolExtra, canElicit: boolean): Promise<CallToolResult> {
  const progress = progressReporter(extra);
  const work = async (signal: AbortSignal) => {
    const ctx = await source.context();
    return invoke(
      ctx,
      invocation,
      // The client answers `ask` rules through elicitation: that is the "terminal" here. Never `yes`.
      { cwd: source.cwd, role: source.role, env: source.env, isTTY: canElicit, yes: false },
      { signal, emit: progress, prompt: canElicit ? (question) => confirm(extra, question) : undefined },
    );
  };
  try {
    const outcome = await (source.track ? source.track(extra.signal, work) : work(extra.signal));
    if (outcome.kind === "planned") throw new Error("a run came back as a plan"); // cannot happen: fail loudly
    return outcomeResult(outcome);
  } catch (error) {
    return errorResult(error);
  }
}

/** Asks the user through the client (form elicitation); only an explicit accept with `confirm: true` runs it. */
async function confirm(extra: ToolExtra, question: string): Promise<boolean> {
  const answer = await extra.sendRequest(
    {
      method: "elicitation/create",
      params: {
        mode: "form",
        message: `firebreak: ${question}`,
        requestedSchema: { type: "object", properties: { confirm: { type: "boolean", title: "Run it", description: "Run this command" } }, required: ["confirm"] },
      },
    },
    ElicitResultSchema,
    { signal: extra.signal, timeout: 10 * 60_000 },
  );
  return answer.action === "accept" && answer.content?.confirm === true;
}

/** Turns output and VM phases into `notifications/progress` when the client asked for progress. */
function progressReporter(extra: ToolExtra): ((event: EngineEvent) => void) | undefined {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  let count = 0;
  let last = 0;
  return (event) => {
    let message: string | undefined;
    if (event.type === "output") message = event.chunk.toString("utf8").trimEnd().split("\n").pop()?.slice(0, PROGRESS_LINE_CHARS);
    else if (event.type === "vm_phase") message = `microVM: ${event.phase} (${event.ms} ms)`;
    else if (event.type === "queued") message = `queued for a microVM, ${event.ahead} ahead`;
    else if (event.type === "plan") message = `placement: ${event.plan.decision.placement}`;
    if (message === undefined) return;
    const now = Date.now();
    if (event.type === "output" && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    count++;
    void extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: count, message } }).catch(() => {});
  };
}

/** Whether the client can answer a confirmation form (`elicitation: {}` is the older spelling of form support). */
export function supportsFormElicitation(caps: { elicitation?: { form?: object; url?: object } } | undefined): boolean {
  const e = caps?.elicitation;
  return Boolean(e && (e.form || !e.url));
}
