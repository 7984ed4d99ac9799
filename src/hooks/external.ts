/**
 * External hook programs, Claude Code style: the event (see event.ts) arrives as JSON on
 * stdin; the exit status answers.
 * - exit 0: continue. Stdout may be a JSON object
 *   `{"decision": "block"|"allow", "reason": "...", "env": {...}, "annotations": {...}}`;
 *   other stdout text is kept as an annotation.
 * - exit 2: block; stderr is the reason.
 * - any other exit, a signal, a spawn failure or invalid JSON: hook error (the pipeline
 *   blocks high-risk commands and warns otherwise).
 * The program runs in its own process group, which is killed when the hook times out.
 *
 * @example
 * createExternalHook({ name: "audit-deploys", program: "./hooks/check.sh", args: [], phases: ["pre"],
 *                      timeout_ms: 5000, priority: 0, matcher: "/^deploy/", enabled: true, env: {} }, "/repo")
 */
import { spawn } from "node:child_process";
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { HookError } from "../errors.js";
import type { ExternalHookConfig } from "./config.js";
import { compileMatcher } from "./matcher.js";
import { hookEvent } from "./event.js";
import type { Hook, HookContext, HookOutcome } from "./types.js";
import { lazy } from "../lazy.js";

/** Output beyond this is dropped (a hook is not a data channel). */
export const EXTERNAL_OUTPUT_CAP_BYTES = 1024 * 1024;
export const EXIT_CONTINUE = 0;
export const EXIT_BLOCK = 2;

const responseSchema = lazy(() =>
  z.looseObject({
    decision: z.enum(["block", "allow", "approve"]).optional(),
    reason: z.string().optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
    annotations: z.record(z.string(), z.unknown()).optional(),
  }),
);

export interface ProgramRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `program` with `input` on stdin; kills its process group on abort. Never rejects on exit status. */
export function runProgram(
  program: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input: string; signal?: AbortSignal; timeoutMs: number },
): Promise<ProgramRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(program, args, { cwd: opts.cwd, env: opts.env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let killedFor: string | undefined;
    const killGroup = (why: string) => {
      killedFor ??= why;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => killGroup(`timed out after ${opts.timeoutMs} ms`), opts.timeoutMs);
    const onAbort = () => killGroup("aborted");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (b: Buffer) => {
      if (outBytes < EXTERNAL_OUTPUT_CAP_BYTES) out.push(b);
      outBytes += b.length;
    });
    child.stderr.on("data", (b: Buffer) => {
      if (errBytes < EXTERNAL_OUTPUT_CAP_BYTES) err.push(b);
      errBytes += b.length;
    });
    // A hook that exits without reading stdin gives EPIPE: that is its right, not an error.
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input);
    const cleanup = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    child.on("error", (e) => {
      cleanup();
      reject(new HookError(`cannot run ${program}: ${e.message}`, undefined, { cause: e }));
    });
    child.on("close", (code, signal) => {
      cleanup();
      if (killedFor) {
        reject(new HookError(`${program} ${killedFor}`));
        return;
      }
      resolveRun({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

/** Interprets an exit-0 stdout. */
export function parseHookResponse(name: string, stdout: string): HookOutcome {
  const text = stdout.trim();
  if (text === "") return { action: "continue" };
  if (!text.startsWith("{")) return { action: "continue", annotations: { stdout: text.slice(0, 2000) } };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HookError(`external hook ${name} printed invalid JSON: ${(err as Error).message}`, name, { cause: err });
  }
  const parsed = responseSchema().safeParse(json);
  if (!parsed.success) {
    throw new HookError(`external hook ${name} printed an invalid response: ${parsed.error.message}`, name, { cause: parsed.error });
  }
  const r = parsed.data;
  if (r.decision === "block") return { action: "block", reason: r.reason?.trim() || `blocked by external hook ${name}` };
  const outcome: HookOutcome = { action: r.env && Object.keys(r.env).length > 0 ? "modify" : "continue" };
  if (r.env) outcome.env = r.env;
  if (r.annotations) outcome.annotations = r.annotations;
  if (r.reason) outcome.reason = r.reason;
  return outcome;
}

export function createExternalHook(config: ExternalHookConfig, baseDir: string): Hook {
  // A bare name is looked up in PATH; anything with a slash is a path relative to the config.
  const program = config.program.includes("/") && !isAbsolute(config.program) ? resolve(baseDir, config.program) : config.program;
  const matches = compileMatcher(config.matcher);
  return {
    name: config.name,
    phases: [...config.phases],
    priority: config.priority,
    timeoutMs: config.timeout_ms,
    source: `external:${config.program}`,
    matches: (ctx: HookContext) => matches(ctx.command.name),
    async run(ctx, signal) {
      const input = `${JSON.stringify(hookEvent(ctx))}\n`;
      const env = {
        ...process.env,
        ...config.env,
        FIREBREAK_HOOK_EVENT: ctx.phase === "pre" ? "PreCommand" : "PostCommand",
        FIREBREAK_WORKSPACE: ctx.workspace,
      };
      const runOpts = { cwd: ctx.cwd, env, input, timeoutMs: config.timeout_ms, ...(signal ? { signal } : {}) };
      let ran: ProgramRun;
      try {
        ran = await runProgram(program, config.args, runOpts);
      } catch (err) {
        throw new HookError(`external hook ${config.name}: ${(err as Error).message}`, config.name, { cause: err });
      }
      if (ran.code === EXIT_BLOCK) {
        return { action: "block", reason: ran.stderr.trim() || `blocked by external hook ${config.name} (exit 2)` };
      }
      if (ran.code !== EXIT_CONTINUE) {
        const how = ran.signal ? `was killed by ${ran.signal}` : `exited with status ${ran.code}`;
        const stderr = ran.stderr.trim();
        throw new HookError(`external hook ${config.name} ${how}${stderr ? `: ${stderr.slice(0, 500)}` : ""}`, config.name);
      }
      return parseHookResponse(config.name, ran.stdout);
    },
  };
}
