/**
 * The hook pipeline: runs pre-hooks (which may block or add environment), post-hooks
 * (which only annotate) and process monitors, in priority order, each under a timeout.
 *
 * Failure policy (fail closed): a pre-hook that throws, returns garbage or times out
 * blocks the command when its risk is at or above `failClosedAtRisk`, and is recorded as
 * a warning below that.
 *
 * @example
 * const pipeline = createHookPipeline(buildHooks(config.hooks, { preset: "default" }));
 * const pre = await pipeline.runPre(ctx);
 * if (pre.blocked) throw new RefusedError(pre.reason ?? "blocked by a hook");
 * const monitor = pipeline.onSpawn(ctx, { pid: child.pid, kill: (why) => killTree(why) });
 * // ... wait for the child ...
 * const spawnAnnotations = await monitor.stop();
 * const post = await pipeline.runPost({ ...ctx, phase: "post", result });
 */
import { HookError } from "../errors.js";
import { type RiskLevel, riskRank } from "../policy/types.js";
import type {
  Hook,
  HookContext,
  HookListRow,
  HookOutcome,
  HookPhase,
  HookRecord,
  ProcessMonitor,
  SpawnedProcess,
} from "./types.js";
import { monotonicMs } from "../clock.js";

export interface HookPipelineOptions {
  /** Pre-hook failures block commands of this risk or above. Default "high". */
  failClosedAtRisk?: RiskLevel;
  /** Where warnings go (tolerated failures); default: nowhere (they are in the records). */
  log?: (level: "warn" | "info", message: string) => void;
}

export interface PreHookResult {
  blocked: boolean;
  reason?: string;
  /** Environment added by hooks, to merge into the process environment. */
  env: Record<string, string>;
  /** Annotations by hook name, for the audit record. */
  annotations: Record<string, unknown>;
  records: HookRecord[];
}

export interface PostHookResult {
  annotations: Record<string, unknown>;
  records: HookRecord[];
}

export interface HookPipeline {
  runPre(ctx: HookContext): Promise<PreHookResult>;
  runPost(ctx: HookContext): Promise<PostHookResult>;
  /** Starts every hook's monitor; `stop()` resolves to their annotations by hook name. */
  onSpawn(ctx: HookContext, proc: SpawnedProcess): ProcessMonitor;
  /** The effective pipeline in execution order. */
  list(): HookListRow[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ACTIONS = new Set(["continue", "block", "modify"]);

/** Hooks in execution order: priority descending, then name ascending. */
export function orderHooks(hooks: readonly Hook[]): Hook[] {
  return [...hooks].sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Rows for `firebreak hooks list`: pre-hooks, then monitors, then post-hooks, each in order. */
export function describeHooks(hooks: readonly Hook[]): HookListRow[] {
  const ordered = orderHooks(hooks);
  const rows: HookListRow[] = [];
  const row = (h: Hook, phase: HookListRow["phase"]): HookListRow => ({
    phase,
    priority: h.priority,
    name: h.name,
    timeoutMs: h.timeoutMs,
    source: h.source ?? "builtin",
  });
  for (const h of ordered) if (h.phases.includes("pre")) rows.push(row(h, "pre"));
  for (const h of ordered) if (h.onSpawn) rows.push(row(h, "spawn"));
  for (const h of ordered) if (h.phases.includes("post")) rows.push(row(h, "post"));
  return rows;
}

class HookTimeout extends Error {}

/** Runs one hook under its timeout; the abort signal tells the hook to give up. */
async function runWithTimeout(hook: Hook, ctx: HookContext): Promise<HookOutcome> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new HookTimeout(`timed out after ${hook.timeoutMs} ms`));
      reject(new HookTimeout(`timed out after ${hook.timeoutMs} ms`));
    }, hook.timeoutMs);
  });
  try {
    // Promise.resolve().then: a hook that throws synchronously is still an error, not a crash.
    return await Promise.race([Promise.resolve().then(() => hook.run(ctx, controller.signal)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Throws unless the outcome has the documented shape (a hook is untrusted code). */
function checkOutcome(hook: Hook, outcome: unknown): HookOutcome {
  const fail = (why: string) => new HookError(`hook ${hook.name} returned an invalid outcome: ${why}`, hook.name);
  if (typeof outcome !== "object" || outcome === null) throw fail("not an object");
  const o = outcome as Record<string, unknown>;
  if (typeof o.action !== "string" || !ACTIONS.has(o.action)) throw fail(`unknown action ${String(o.action)}`);
  if (o.reason !== undefined && typeof o.reason !== "string") throw fail("reason is not a string");
  if (o.env !== undefined) {
    if (typeof o.env !== "object" || o.env === null) throw fail("env is not an object");
    for (const [k, v] of Object.entries(o.env)) {
      if (!ENV_NAME.test(k)) throw fail(`invalid environment variable name ${JSON.stringify(k)}`);
      if (typeof v !== "string" || v.includes("\0")) throw fail(`environment variable ${k} is not a string`);
    }
  }
  if (o.annotations !== undefined && (typeof o.annotations !== "object" || o.annotations === null)) {
    throw fail("annotations is not an object");
  }
  return o as unknown as HookOutcome;
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Creates the pipeline for a fixed set of hooks.
 *
 * Duplicate hook names are refused: records and annotations are keyed by name.
 */
export function createHookPipeline(hooks: readonly Hook[], opts: HookPipelineOptions = {}): HookPipeline {
  const failClosedAt = opts.failClosedAtRisk ?? "high";
  const log = opts.log ?? (() => {});
  const seen = new Set<string>();
  for (const h of hooks) {
    if (seen.has(h.name)) throw new HookError(`two hooks are named ${h.name}`, h.name);
    seen.add(h.name);
    if (!(h.timeoutMs > 0)) throw new HookError(`hook ${h.name} has no positive timeout`, h.name);
  }
  const ordered = orderHooks(hooks);

  function active(phase: HookPhase, ctx: HookContext): Hook[] {
    return ordered.filter((h) => h.phases.includes(phase) && (h.matches ? h.matches(ctx) : true));
  }

  async function runPhase(phase: HookPhase, ctx: HookContext): Promise<PreHookResult> {
    const out: PreHookResult = { blocked: false, env: {}, annotations: {}, records: [] };
    const failClosed = phase === "pre" && riskRank(ctx.decision.risk) >= riskRank(failClosedAt);
    for (const hook of active(phase, ctx)) {
      const started = monotonicMs();
      const elapsed = () => Math.round(monotonicMs() - started);
      let outcome: HookOutcome;
      try {
        outcome = checkOutcome(hook, await runWithTimeout(hook, { ...ctx, phase }));
      } catch (err) {
        const kind = err instanceof HookTimeout ? "timeout" : "error";
        const what = `${kind === "timeout" ? "" : "failed: "}${describeError(err)}`;
        if (failClosed) {
          out.records.push({ name: hook.name, phase, action: kind, durationMs: elapsed(), message: what });
          out.blocked = true;
          out.reason = `hook ${hook.name} ${what} (fails closed at risk ${ctx.decision.risk})`;
          return out;
        }
        const message = `${kind}: ${what}; continued (risk ${ctx.decision.risk}${phase === "pre" ? ` below ${failClosedAt}` : ", post-hook"})`;
        out.records.push({ name: hook.name, phase, action: phase === "pre" ? "warn" : kind, durationMs: elapsed(), message });
        log("warn", `hook ${hook.name} (${phase}) ${message}`);
        continue;
      }
      if (outcome.annotations && Object.keys(outcome.annotations).length > 0) {
        out.annotations[hook.name] = outcome.annotations;
      }
      if (outcome.action === "block") {
        const reason = outcome.reason?.trim() || `blocked by hook ${hook.name}`;
        if (phase === "post") {
          // Post-hooks cannot undo what ran; their objection is kept as a warning.
          out.records.push({ name: hook.name, phase, action: "warn", durationMs: elapsed(), message: `post-hook asked to block: ${reason}` });
          continue;
        }
        out.records.push({ name: hook.name, phase, action: "block", durationMs: elapsed(), message: reason });
        out.blocked = true;
        out.reason = `hook ${hook.name}: ${reason}`;
        return out;
      }
      if (outcome.env && phase === "pre") Object.assign(out.env, outcome.env);
      const record: HookRecord = { name: hook.name, phase, action: outcome.action, durationMs: elapsed() };
      if (outcome.reason) record.message = outcome.reason;
      out.records.push(record);
    }
    return out;
  }

  return {
    runPre: (ctx) => runPhase("pre", ctx),
    async runPost(ctx) {
      const { annotations, records } = await runPhase("post", ctx);
      return { annotations, records };
    },
    onSpawn(ctx, proc) {
      const monitors: { name: string; monitor: ProcessMonitor }[] = [];
      const failures: Record<string, unknown> = {};
      for (const hook of ordered) {
        if (!hook.onSpawn || (hook.matches && !hook.matches(ctx))) continue;
        try {
          monitors.push({ name: hook.name, monitor: hook.onSpawn(ctx, proc) });
        } catch (err) {
          failures[hook.name] = { error: describeError(err) };
          log("warn", `hook ${hook.name} could not start its monitor: ${describeError(err)}`);
        }
      }
      return {
        async stop() {
          const annotations: Record<string, unknown> = { ...failures };
          for (const { name, monitor } of monitors) {
            try {
              annotations[name] = await monitor.stop();
            } catch (err) {
              annotations[name] = { error: describeError(err) };
            }
          }
          return annotations;
        },
      };
    },
    list: () => describeHooks(ordered),
  };
}
