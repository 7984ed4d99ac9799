import type { ErrorBody, InvocationRequest, PlanBody, RefusedBody, WireEvent } from "../api/wire.js";
import { decodeEvent, NDJSON } from "../api/wire.js";
import type { AuditRecord, VerifyReport } from "../audit/types.js";
import type { ApplyReport, Changeset } from "../changes/types.js";
import { splitRunTokens } from "../commands/run-tokens.js";
import type { CommandSummary, DefinitionView, RegistryProblems } from "../commands/summary.js";
import type { PolicyAnswer } from "../engine/plan-view.js";
import { EXIT, RemoteError, UsageError } from "../errors.js";
import { recordCount } from "../cli/options.js";
import type { Output } from "../cli/output.js";
import { askYesNo, settleRunChanges } from "../cli/prompt.js";
import { applyQuestion, applyReportText, storedChangesLine } from "../cli/view/changes-text.js";
import { auditTable, verifyText } from "../cli/view/audit-text.js";
import { commandHelpText, commandsTable, problemsText, showText } from "../cli/view/commands-text.js";
import { policyLine, policyText } from "../cli/view/policy-text.js";
import { RunView } from "../cli/view/run-view.js";
import { failClosed, type HookResult, hookStdout } from "../claude/hook-protocol.js";
import type { ClientCommand } from "./argv.js";
import type { DaemonClient } from "./daemon-client.js";

export interface ClientContext {
  client: DaemonClient;
  output: Output;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Whether a question may be asked (stdin and stderr are a terminal). */
  isTTY: boolean;
  /** Whether stderr is a terminal (progress redraws in place). */
  stderrIsTTY: boolean;
  /** The caller's stdout and stderr: the process's own, or a relayed call's frames. */
  write: { stdout: (chunk: Buffer | string) => void; stderr: (chunk: Buffer | string) => void };
  /** The caller's stdin, whole (`claude hook`). */
  stdinText(): Promise<string>;
  /** The caller's stdin line by line (`policy check --stdin`). */
  stdinLines(): AsyncIterable<string>;
  /** Aborted on Ctrl-C / SIGTERM: the request is dropped and the daemon cancels the run. */
  signal: AbortSignal;
}

const VIA = "daemon";

/** Runs one recognised command through the daemon; returns the exit status the in-process CLI would. */
export async function runThroughDaemon(cmd: ClientCommand, c: ClientContext): Promise<number> {
  switch (cmd.kind) {
    case "run":
      return run(cmd, c);
    case "sh":
      return runRequest(c, { line: cmd.line, cwd: c.cwd, role: cmd.role, yes: cmd.yes, env: stringEnv(c.env), ...(cmd.vm ? { vm: true } : {}) }, { json: cmd.json, planOnly: cmd.plan });
    case "claude-hook":
      return claudeHook(cmd, c);
    case "policy-check":
      return policyCheck(cmd, c);
    case "commands-list": {
      const { commands, problems } = await get<{ commands: CommandSummary[]; problems: RegistryProblems }>(c, `/v1/commands?cwd=${enc(c.cwd)}`);
      // As in-process: with --json only the document, else the table and then the problems on stderr.
      if (cmd.json) {
        c.output.json(commands);
        return EXIT.OK;
      }
      c.output.out(commandsTable(commands));
      for (const line of problemsText(c.output, problems)) c.output.err(line);
      return EXIT.OK;
    }
    case "commands-show": {
      const { definition, usage } = await get<{ definition: DefinitionView; usage: string }>(c, `/v1/commands/${enc(cmd.name)}?cwd=${enc(c.cwd)}`);
      if (cmd.json) c.output.json(definition);
      else c.output.out(showText(c.output, definition, usage));
      return EXIT.OK;
    }
    case "audit-tail": {
      const n = recordCount(cmd.lines);
      const { records } = await get<{ records: AuditRecord[] }>(c, `/v1/audit?n=${n}&cwd=${enc(c.cwd)}`);
      if (cmd.json) c.output.json(records);
      else c.output.out(auditTable(records));
      return EXIT.OK;
    }
    case "audit-verify": {
      const report = await get<{ file: string } & VerifyReport>(c, `/v1/audit/verify?cwd=${enc(c.cwd)}`);
      if (cmd.json) c.output.json(report);
      else c.output.out(verifyText(c.output, report.file, report));
      return report.ok ? EXIT.OK : EXIT.FAILURE;
    }
  }
}

async function run(cmd: Extract<ClientCommand, { kind: "run" }>, c: ClientContext): Promise<number> {
  // No token that could be one of firebreak's options: every token is the command's, whatever it declares, so the
  // run is asked for at once (one request instead of two; an unknown name is refused by the run as by the lookup).
  if (!mayHoldRunFlags(cmd.tokens)) {
    const request: InvocationRequest = { command: cmd.name, args: [...cmd.tokens], cwd: c.cwd, role: cmd.role, yes: cmd.yes, env: stringEnv(c.env) };
    return runRequest(c, request, { json: cmd.json, planOnly: cmd.plan });
  }
  // The definition decides which of --json/--yes/--plan/--role after the name are firebreak's.
  const { definition, usage, documentation } = await get<{ definition: DefinitionView; usage: string; documentation: string }>(c, `/v1/commands/${enc(cmd.name)}?cwd=${enc(c.cwd)}`);
  const { flags, rest } = splitRunTokens(definition, cmd.tokens);
  if (flags.help) {
    c.output.out(commandHelpText(c.output, definition, usage, documentation));
    return EXIT.OK;
  }
  const request: InvocationRequest = { command: definition.qualifiedName, args: rest, cwd: c.cwd, role: flags.role ?? cmd.role, yes: cmd.yes || Boolean(flags.yes), env: stringEnv(c.env) };
  return runRequest(c, request, { json: cmd.json || Boolean(flags.json), planOnly: cmd.plan || Boolean(flags.plan) });
}

/** Whether a token after the command name could be one of firebreak's own options (only then is its definition needed). */
function mayHoldRunFlags(tokens: readonly string[]): boolean {
  try {
    return Object.keys(splitRunTokens(undefined, tokens).flags).length > 0;
  } catch {
    return true; // `--role` without a value, unless the command declares `role`: the definition decides
  }
}

/** Plans or runs one invocation (a named command or a shell line) through the daemon, shown by the run view. */
async function runRequest(c: ClientContext, request: InvocationRequest, { json, planOnly }: { json: boolean; planOnly: boolean }): Promise<number> {
  const view = new RunView(c.output, {
    json,
    planOnly,
    via: VIA,
    write: c.write,
    progress: { tty: c.stderrIsTTY },
  });
  if (planOnly) {
    const { plan } = await post<PlanBody>(c, "/v1/plan", request);
    view.onEvent({ type: "plan", plan });
    return view.exitStatus();
  }
  for (;;) {
    const res = await c.client.request("POST", "/v1/runs", request, { accept: NDJSON, signal: c.signal });
    if (res.status === 200 && res.contentType.startsWith(NDJSON)) {
      for await (const line of res.lines()) {
        const event = decodeEvent(JSON.parse(line) as WireEvent);
        if (event.type === "error") throw remoteError(event.error);
        view.onEvent(event);
      }
      const settled = await settleRunChanges(view.completed()?.changes, {
        isTTY: c.isTTY,
        json,
        question: (changes) => applyQuestion(changes, c.cwd),
        storedLine: storedChangesLine,
        apply: async (id) => {
          const { report } = await post<{ report: ApplyReport }>(c, `/v1/changes/${enc(id)}/apply`, { cwd: c.cwd });
          const { changeset } = await get<{ changeset: Changeset }>(c, `/v1/changes/${enc(id)}?cwd=${enc(c.cwd)}`);
          return applyReportText(c.output, changeset, report);
        },
      });
      if (settled) c.output.err(settled);
      return view.exitStatus();
    }
    const body = JSON.parse(await res.text()) as RefusedBody | ErrorBody;
    if ("error" in body) throw remoteError(body.error);
    // 409: an `ask` rule. On a terminal, ask as the in-process CLI would, then send again confirmed.
    if (res.status === 409 && body.question && c.isTTY && !request.yes && (await askYesNo(body.question))) {
      request.yes = true;
      continue;
    }
    view.onEvent({ type: "plan", plan: body.plan });
    view.onEvent({ type: "refused", ...body.refused });
    return view.exitStatus();
  }
}

async function policyCheck(cmd: Extract<ClientCommand, { kind: "policy-check" }>, c: ClientContext): Promise<number> {
  const o = c.output;
  const decide = async (line: string) => (await post<{ answers: PolicyAnswer[] }>(c, "/v1/policy/check", { line, cwd: c.cwd, role: cmd.role })).answers[0]!;
  if (cmd.stdin) {
    if (cmd.words.length) throw new UsageError("give either --stdin or a line, not both");
    let denied = false;
    for await (const line of c.stdinLines()) {
      if (!line.trim()) continue;
      const answer = await decide(line);
      denied ||= answer.placement === "denied";
      if (cmd.json) c.write.stdout(`${JSON.stringify(answer)}\n`);
      else o.out(policyLine(answer));
    }
    return denied ? EXIT.REFUSED : EXIT.OK;
  }
  const line = cmd.words.join(" ");
  if (!line.trim()) throw new UsageError('give a shell line: firebreak policy check -- "<line>"');
  const answer = await decide(line);
  if (cmd.json) o.json(answer);
  else o.out(policyText(o, answer));
  return answer.placement === "denied" ? EXIT.REFUSED : EXIT.OK;
}

/**
 * `claude hook` through the daemon: the event goes as it came, the daemon parses and answers it. Once the
 * daemon has answered, a failure still answers (fail closed, `ask`) and exits 0: any other status would let
 * Claude Code run the tool unchecked.
 */
async function claudeHook(cmd: Extract<ClientCommand, { kind: "claude-hook" }>, c: ClientContext): Promise<number> {
  // Asked before stdin is read: with no daemon, the in-process CLI still has the event to read.
  await get(c, "/healthz");
  let result: HookResult;
  try {
    const input = await c.stdinText();
    result = await post<HookResult>(c, "/v1/claude/hook", { input, cwd: c.cwd, vm: cmd.vm });
  } catch (error) {
    result = failClosed(`the daemon failed: ${(error as Error)?.message ?? String(error)}`);
  }
  c.write.stdout(hookStdout(result));
  if (result.message) c.output.err(result.message);
  return EXIT.OK;
}


function remoteError(body: ErrorBody["error"]): RemoteError {
  return new RemoteError(body);
}

async function get<T>(c: ClientContext, path: string): Promise<T> {
  const { status, body } = await c.client.json<T | ErrorBody>("GET", path);
  if (status >= 400 || (body as ErrorBody).error) throw remoteError((body as ErrorBody).error);
  return body as T;
}

async function post<T>(c: ClientContext, path: string, payload: unknown): Promise<T> {
  const { status, body } = await c.client.json<T | ErrorBody>("POST", path, payload);
  if (status >= 400 || (body as ErrorBody).error) throw remoteError((body as ErrorBody).error);
  return body as T;
}

const enc = encodeURIComponent;

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string"));
}
