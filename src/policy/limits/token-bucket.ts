import type { RateLimitConfig } from "../config-schema.js";

/**
 * Token buckets, stored as one number each: the "theoretical arrival time" of GCRA, which is
 * exactly a token bucket (capacity C, one token back every T ms) without floating token counts.
 * A bucket whose TAT is at or before `now` is full, so absent means full.
 */

export const PERIOD_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type Period = keyof typeof PERIOD_MS;
const PERIOD_ABBREV: Record<Period, string> = { second: "s", minute: "min", hour: "h", day: "day" };
const PERIODS: Period[] = ["second", "minute", "hour", "day"];

export interface BucketSpec {
  period: Period;
  /** Tokens refilled per period (`per_minute = 10` -> 10). */
  count: number;
  /** Tokens the bucket holds when full. */
  capacity: number;
  /** Milliseconds to refill one token. */
  intervalMs: number;
}

/**
 * The buckets a limit stands for: one per `per_*` field; `burst` caps the shortest period's.
 *
 * @example bucketSpecs({ per_minute: 10, burst: 2, scope: "user" })
 *   // [{ period: "minute", count: 10, capacity: 2, intervalMs: 6000 }]
 */
export function bucketSpecs(limit: RateLimitConfig): BucketSpec[] {
  const specs: BucketSpec[] = [];
  for (const period of PERIODS) {
    const count = limit[`per_${period}`];
    if (count === undefined) continue;
    const capacity = specs.length === 0 && limit.burst !== undefined ? limit.burst : count;
    specs.push({ period, count, capacity, intervalMs: PERIOD_MS[period] / count });
  }
  return specs;
}

/** "1/min", "10/min (burst 2), 100/day". */
export function describeLimit(limit: RateLimitConfig): string {
  return bucketSpecs(limit)
    .map((s) => `${s.count}/${PERIOD_ABBREV[s.period]}${s.capacity !== s.count ? ` (burst ${s.capacity})` : ""}`)
    .join(", ");
}

export interface TakeResult {
  allowed: boolean;
  /** The bucket's new TAT if the token is taken. */
  nextTatMs: number;
  /** 0 when allowed; else how long until one token is back. */
  retryAfterMs: number;
  /** Tokens left after this take (or now, if refused). */
  remaining: number;
}

/**
 * Tries to take one token. `tatMs` undefined = the bucket is full.
 *
 * @example takeToken(undefined, { period: "minute", count: 1, capacity: 1, intervalMs: 60000 }, 0).allowed // true
 */
export function takeToken(tatMs: number | undefined, spec: BucketSpec, nowMs: number): TakeResult {
  const toleranceMs = (spec.capacity - 1) * spec.intervalMs;
  // A clock that went back or a capacity lowered in the config can leave a TAT beyond any reachable
  // state; clamp it to "empty" so a limit never blocks for longer than one refill.
  const maxTat = nowMs + toleranceMs + spec.intervalMs;
  const tat = Math.min(Math.max(tatMs ?? nowMs, nowMs), maxTat);
  const remainingAt = (t: number): number =>
    Math.max(0, Math.floor((nowMs + toleranceMs + spec.intervalMs - t) / spec.intervalMs + 1e-9));
  if (tat - nowMs > toleranceMs) {
    return { allowed: false, nextTatMs: tat, retryAfterMs: Math.ceil(tat - toleranceMs - nowMs), remaining: 0 };
  }
  const nextTatMs = tat + spec.intervalMs;
  return { allowed: true, nextTatMs, retryAfterMs: 0, remaining: Math.min(spec.capacity - 1, remainingAt(nextTatMs)) };
}
