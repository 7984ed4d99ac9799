import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { lockFile } from "../../file-lock.js";
import { StateError } from "../../errors.js";
import type { RateLimitConfig } from "../config-schema.js";
import { bucketSpecs, describeLimit, takeToken } from "./token-bucket.js";

export const RATE_LIMIT_STATE_FILE = "rate-limits.json";
const STATE_VERSION = 1;
/** A lock older than this is considered left behind by a crashed process. */
const LOCK_STALE_MS = 10_000;

export interface RateLimitResult {
  allowed: boolean;
  /** 0 when allowed; else milliseconds until a run would be allowed. */
  retryAfterMs: number;
  /** Runs left right now in the tightest bucket (after this one, if allowed). */
  remaining: number;
}

/** One limit to apply, e.g. `deploy` for alice under `[policy.rate_limits.deploy]`. */
export interface RateLimitRequest {
  /** Bucket identity, e.g. "policy|cmd:deploy|user:alice". */
  key: string;
  limit: RateLimitConfig;
  /** Who/what it limits, for messages: "deploy by alice". */
  subject: string;
}

export interface RateLimitOutcome extends RateLimitResult {
  /** Per request, in order. */
  results: Array<{ request: RateLimitRequest; result: RateLimitResult }>;
  /** Refusal messages of the requests that were out of tokens (empty when allowed). */
  reasons: string[];
}

interface StateFile {
  version: number;
  /** bucket key -> theoretical arrival time (ms since epoch); absent = full. */
  buckets: Record<string, number>;
}

export interface RateLimitStoreOptions {
  /** Directory for the state file, e.g. `$XDG_STATE_HOME/firebreak`. Created if missing. */
  stateDir: string;
  fileName?: string;
  /** How often to retry a held lock before giving up (fail closed). Default 60 (~ a few seconds). */
  lockRetries?: number;
}

/**
 * Fault injection for the cross-process test: with FIREBREAK_TEST_RATE_LIMIT_HOLD_MS set, wait that long between
 * reading and writing the state, so two processes started together are sure to overlap there. Without the lock
 * both would then read a full bucket and both run; the test proves the lock is what prevents it. Harmless outside
 * tests: it only delays, inside the lock.
 */
async function holdForConcurrencyTest(): Promise<void> {
  const ms = Number(process.env.FIREBREAK_TEST_RATE_LIMIT_HOLD_MS ?? 0);
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 10_000)));
}

function toMs(now: Date | number): number {
  return typeof now === "number" ? now : now.getTime();
}

/** "42 s", "3 min 5 s", "2 h 1 min". */
export function formatRetry(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const minutes = Math.ceil(s / 60);
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
}

/**
 * Token-bucket rate limits persisted as JSON in the state dir. Every read-modify-write holds a
 * lock (proper-lockfile, a lock directory next to the file), so separate firebreak processes share
 * the buckets; the file is replaced atomically (write + rename). Corrupt state or a lock that
 * cannot be taken throws StateError: the caller refuses (fail closed).
 *
 * @example
 * const store = new RateLimitStore({ stateDir });
 * await store.consume("deploy|alice", { per_minute: 1, scope: "user" }, Date.now()) // { allowed: true, ... }
 */
export class RateLimitStore {
  readonly file: string;
  private readonly lockRetries: number;

  constructor(private readonly options: RateLimitStoreOptions) {
    this.file = join(options.stateDir, options.fileName ?? RATE_LIMIT_STATE_FILE);
    this.lockRetries = options.lockRetries ?? 60;
  }

  /** Takes one token from every bucket of `limit` under `key`, or none if any is empty. */
  async consume(key: string, limit: RateLimitConfig, now: Date | number): Promise<RateLimitResult> {
    const { allowed, retryAfterMs, remaining } = await this.consumeAll([{ key, limit, subject: key }], now);
    return { allowed, retryAfterMs, remaining };
  }

  /**
   * Applies several limits atomically: tokens are taken only if every bucket of every request has one.
   * With no requests it is allowed and does not touch the file.
   */
  async consumeAll(requests: readonly RateLimitRequest[], now: Date | number): Promise<RateLimitOutcome> {
    const nowMs = toMs(now);
    if (requests.length === 0) return { allowed: true, retryAfterMs: 0, remaining: Number.POSITIVE_INFINITY, results: [], reasons: [] };
    return this.withLock(async () => {
      const state = await this.read();
      await holdForConcurrencyTest();
      const updates: Record<string, number> = {};
      const results = requests.map((request) => {
        let allowed = true;
        let retryAfterMs = 0;
        let remaining = Number.POSITIVE_INFINITY;
        for (const spec of bucketSpecs(request.limit)) {
          const bucketKey = `${request.key}|${spec.period}`;
          const take = takeToken(updates[bucketKey] ?? state.buckets[bucketKey], spec, nowMs);
          remaining = Math.min(remaining, take.remaining);
          if (!take.allowed) {
            allowed = false;
            retryAfterMs = Math.max(retryAfterMs, take.retryAfterMs);
          } else {
            updates[bucketKey] = take.nextTatMs;
          }
        }
        return { request, result: { allowed, retryAfterMs, remaining: allowed ? remaining : 0 } };
      });
      const refused = results.filter((r) => !r.result.allowed);
      if (refused.length === 0) {
        Object.assign(state.buckets, updates);
        await this.write(state, nowMs);
      }
      return {
        allowed: refused.length === 0,
        retryAfterMs: Math.max(0, ...refused.map((r) => r.result.retryAfterMs)),
        remaining: Math.min(...results.map((r) => r.result.remaining)),
        results,
        reasons: refused.map(
          ({ request, result }) =>
            `rate limit ${describeLimit(request.limit)} for ${request.subject}: retry in ${formatRetry(result.retryAfterMs)}`,
        ),
      };
    });
  }

  /** Removes all buckets (e.g. `firebreak policy reset-limits`). */
  async reset(): Promise<void> {
    await this.withLock(() => rm(this.file, { force: true }));
  }

  private async withLock<T>(body: () => Promise<T>): Promise<T> {
    await mkdir(this.options.stateDir, { recursive: true, mode: 0o700 });
    let compromised: Error | undefined;
    let release: () => Promise<void>;
    try {
      release = await lockFile(this.file, {
        realpath: false,
        stale: LOCK_STALE_MS,
        retries: { retries: this.lockRetries, factor: 1.3, minTimeout: 5, maxTimeout: 200, randomize: true },
        onCompromised: (error) => {
          compromised = error;
        },
      });
    } catch (error) {
      throw new StateError(`cannot lock rate-limit state ${this.file}: ${(error as Error).message}`, this.file, { cause: error });
    }
    try {
      const value = await body();
      if (compromised) throw new StateError(`rate-limit state lock was lost: ${compromised.message}`, this.file, { cause: compromised });
      return value;
    } finally {
      await release().catch(() => undefined);
    }
  }

  private async read(): Promise<StateFile> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: STATE_VERSION, buckets: {} };
      throw new StateError(`cannot read rate-limit state ${this.file}: ${(error as Error).message}`, this.file, { cause: error });
    }
    const corrupt = (why: string, cause?: unknown): StateError =>
      new StateError(`rate-limit state ${this.file} is corrupt (${why}); delete it to reset all rate limits`, this.file, { cause });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw corrupt("not JSON", error);
    }
    if (typeof parsed !== "object" || parsed === null) throw corrupt("not an object");
    const { version, buckets } = parsed as Partial<StateFile>;
    if (version !== STATE_VERSION) throw corrupt(`unknown version ${String(version)}`);
    if (typeof buckets !== "object" || buckets === null || Array.isArray(buckets)) throw corrupt("no buckets");
    for (const [key, tat] of Object.entries(buckets)) {
      if (typeof tat !== "number" || !Number.isFinite(tat)) throw corrupt(`bucket ${key} is not a number`);
    }
    return { version, buckets: { ...buckets } };
  }

  private async write(state: StateFile, nowMs: number): Promise<void> {
    // Full buckets (TAT in the past) carry no information: drop them to keep the file small.
    const buckets = Object.fromEntries(Object.entries(state.buckets).filter(([, tat]) => tat > nowMs));
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await writeFile(tmp, `${JSON.stringify({ version: STATE_VERSION, buckets }, null, 1)}\n`, { mode: 0o600 });
      await rename(tmp, this.file);
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw new StateError(`cannot write rate-limit state ${this.file}: ${(error as Error).message}`, this.file, { cause: error });
    }
  }
}
