/**
 * `notification`: for important commands (by name/regex, or by assessed risk), POSTs a
 * JSON event to every configured webhook. Each request has a timeout; network errors,
 * 408, 429 and 5xx are retried with exponential backoff. It never blocks the command:
 * failures are reported in the hook record's message and annotations.
 *
 * @example
 * // [hooks.notification] webhooks = ["http://127.0.0.1:9000/events"], commands = ["deploy"]
 * // POST /events  {"hook_event_name":"PostCommand","command":"deploy","result":{"exit_code":0,…},…}
 */
import { createHmac } from "node:crypto";
import type { NotificationConfig } from "../config.js";
import { compileMatcher } from "../matcher.js";
import { hookEvent } from "../event.js";
import { builtinIdentity, DEFAULT_TIMEOUT_MS } from "../presets.js";
import type { Hook, HookContext } from "../types.js";
import { riskRank } from "../../policy/types.js";

export const SIGNATURE_HEADER = "x-firebreak-signature";
const RETRYABLE_STATUS = new Set([408, 425, 429]);

export interface Webhook {
  url: string;
  secret?: string;
  headers: Record<string, string>;
}

export interface DeliveryResult {
  /** Origin only: webhook paths and queries often carry tokens. */
  target: string;
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

export interface DeliveryOptions {
  requestTimeoutMs: number;
  retries: number;
  backoffMs: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });
}

function redactUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid url)";
  }
}

/** POSTs `body` to one webhook with retries; never throws. */
export async function deliver(hook: Webhook, body: string, opts: DeliveryOptions): Promise<DeliveryResult> {
  const sleep = opts.sleep ?? defaultSleep;
  const headers: Record<string, string> = {
    ...hook.headers,
    "content-type": "application/json",
    "user-agent": "firebreak-notification",
  };
  if (hook.secret) headers[SIGNATURE_HEADER] = `sha256=${createHmac("sha256", hook.secret).update(body).digest("hex")}`;
  const result: DeliveryResult = { target: redactUrl(hook.url), ok: false, attempts: 0 };
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    if (opts.signal?.aborted) break;
    if (attempt > 0) await sleep(opts.backoffMs * 2 ** (attempt - 1), opts.signal);
    result.attempts = attempt + 1;
    const signals = [AbortSignal.timeout(opts.requestTimeoutMs), ...(opts.signal ? [opts.signal] : [])];
    try {
      const res = await fetch(hook.url, { method: "POST", headers, body, signal: AbortSignal.any(signals), redirect: "error" });
      await res.arrayBuffer().catch(() => undefined); // drain so the connection can be reused
      result.status = res.status;
      if (res.ok) {
        result.ok = true;
        delete result.error;
        return result;
      }
      result.error = `HTTP ${res.status}`;
      if (res.status < 500 && !RETRYABLE_STATUS.has(res.status)) return result;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      result.error = cause?.code ?? cause?.message ?? (err as Error).message;
    }
  }
  return result;
}

export function normaliseWebhooks(config: NotificationConfig): Webhook[] {
  return config.webhooks.map((w) => (typeof w === "string" ? { url: w, headers: {} } : { ...w }));
}

/** True when the config calls this command important. */
export function isImportant(ctx: HookContext, config: NotificationConfig): boolean {
  if (config.commands.some((m) => compileMatcher(m)(ctx.command.name))) return true;
  return config.min_risk !== undefined && riskRank(ctx.decision.risk) >= riskRank(config.min_risk);
}

/** Worst-case time of one delivery: every attempt times out, plus every backoff. */
export function deliveryBudgetMs(config: NotificationConfig): number {
  let backoff = 0;
  for (let i = 0; i < config.retries; i++) backoff += config.backoff_ms * 2 ** i;
  return config.request_timeout_ms * (config.retries + 1) + backoff;
}

export function createNotificationHook(config: NotificationConfig): Hook {
  const webhooks = normaliseWebhooks(config);
  // The pipeline timeout must never fire first: a timed-out pre-hook could block a high-risk command.
  const budget = deliveryBudgetMs(config);
  return {
    ...builtinIdentity("notification", config),
    phases: [...config.phases],
    timeoutMs: Math.max(config.timeout_ms ?? DEFAULT_TIMEOUT_MS.notification, budget + 1_000),
    matches: (ctx) => webhooks.length > 0 && isImportant(ctx, config),
    async run(ctx, signal) {
      const event = { ...hookEvent(ctx, { redact: !config.include_rendered }), sent_at: new Date().toISOString() };
      const body = JSON.stringify(event);
      const opts: DeliveryOptions = {
        requestTimeoutMs: config.request_timeout_ms,
        retries: config.retries,
        backoffMs: config.backoff_ms,
      };
      if (signal) opts.signal = signal;
      const results = await Promise.all(webhooks.map((w) => deliver(w, body, opts)));
      const failed = results.filter((r) => !r.ok);
      const outcome = { action: "continue" as const, annotations: { deliveries: results } };
      if (failed.length === 0) return outcome;
      const what = failed.map((r) => `${r.target} failed after ${r.attempts} attempt(s): ${r.error}`).join("; ");
      return { ...outcome, reason: `notification not delivered: ${what}` };
    },
  };
}
