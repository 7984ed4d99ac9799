import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketSpecs, describeLimit, takeToken } from "../../src/policy/limits/token-bucket.js";

describe("bucketSpecs", () => {
  it("makes one bucket per period and applies burst to the shortest", () => {
    expect(bucketSpecs({ per_minute: 10, per_day: 100, burst: 2, scope: "user" })).toEqual([
      { period: "minute", count: 10, capacity: 2, intervalMs: 6_000 },
      { period: "day", count: 100, capacity: 100, intervalMs: 864_000 },
    ]);
    expect(describeLimit({ per_minute: 10, per_day: 100, burst: 2, scope: "user" })).toBe("10/min (burst 2), 100/day");
    expect(describeLimit({ per_minute: 1, scope: "user" })).toBe("1/min");
  });
});

describe("takeToken", () => {
  const spec = { period: "minute" as const, count: 3, capacity: 3, intervalMs: 20_000 };

  it("drains a full bucket, refuses with the time to the next token, then refills", () => {
    let tat: number | undefined;
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const take = takeToken(tat, spec, 1_000);
      expect(take.allowed).toBe(true);
      remaining.push(take.remaining);
      tat = take.nextTatMs;
    }
    expect(remaining).toEqual([2, 1, 0]);
    const refused = takeToken(tat, spec, 1_000);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 20_000, remaining: 0 });
    expect(takeToken(tat, spec, 20_999).allowed).toBe(false);
    expect(takeToken(tat, spec, 21_000)).toMatchObject({ allowed: true, remaining: 0 });
    expect(takeToken(tat, spec, 61_000)).toMatchObject({ allowed: true, remaining: 2 });
  });

  it("never blocks longer than one refill after the clock goes back", () => {
    const farFuture = 10_000_000;
    const take = takeToken(farFuture, spec, 0);
    expect(take.allowed).toBe(false);
    expect(take.retryAfterMs).toBe(spec.intervalMs);
  });

  it("never allows more than capacity + elapsed/interval tokens (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50_000 }), { minLength: 1, maxLength: 60 }), (gaps) => {
        let now = 0;
        let tat: number | undefined;
        let allowed = 0;
        for (const gap of gaps) {
          now += gap;
          const take = takeToken(tat, spec, now);
          if (take.allowed) {
            allowed++;
            tat = take.nextTatMs;
          } else {
            // a refusal is honest: waiting retryAfterMs makes it succeed
            expect(takeToken(tat, spec, now + take.retryAfterMs).allowed).toBe(true);
          }
        }
        expect(allowed).toBeLessThanOrEqual(spec.capacity + Math.floor(now / spec.intervalMs));
      }),
    );
  });
});
