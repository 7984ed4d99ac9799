import { describe, expect, it } from "vitest";
import { STRATEGIES } from "../../../src/vm/pool/config-schema.js";
import { type Candidate, chooseCandidate, newStrategyState, performanceScore } from "../../../src/vm/pool/strategies.js";

/** A controlled pool: two types, three ready VMs with known idle times and measured costs. */
const pool: Candidate[] = [
  { seq: 1, type: "default", typeIndex: 0, idleSince: 1_000, restoreMs: 120, probeMs: 2 }, // idle longest, slow
  { seq: 2, type: "default", typeIndex: 0, idleSince: 3_000, restoreMs: 80, probeMs: 1 }, // newest of default
  { seq: 3, type: "small", typeIndex: 1, idleSince: 2_000, restoreMs: 40, probeMs: 0.5 }, // fastest
];

describe("allocation strategies choose among ready VMs", () => {
  it("first-available: the first type in [pool] types order, its most recently readied VM", () => {
    expect(chooseCandidate("first-available", pool, newStrategyState())?.seq).toBe(2);
  });

  it("best-performance: the lowest measured restore and probe", () => {
    expect(chooseCandidate("best-performance", pool, newStrategyState())?.seq).toBe(3);
    expect(performanceScore(pool[2]!)).toBeGreaterThan(performanceScore(pool[1]!));
  });

  it("least-recently-used: the one idle the longest", () => {
    expect(chooseCandidate("least-recently-used", pool, newStrategyState())?.seq).toBe(1);
  });

  it("round-robin: cycles through the types that have a ready VM, the longest idle of each", () => {
    const state = newStrategyState();
    const picks = [0, 1, 2, 3].map(() => chooseCandidate("round-robin", pool, state)?.seq);
    expect(picks).toEqual([1, 3, 1, 3]);
  });

  it("weighted-random: by performance score, so the fast VM is chosen most and every VM sometimes", () => {
    let x = 0;
    // A fixed low-discrepancy sequence instead of Math.random: the counts are exact.
    const state = newStrategyState(() => {
      x = (x + 0.618_033_988_75) % 1;
      return x;
    });
    const counts = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const seq = chooseCandidate("weighted-random", pool, state)!.seq;
      counts.set(seq, (counts.get(seq) ?? 0) + 1);
    }
    const total = pool.reduce((a, c) => a + performanceScore(c), 0);
    for (const c of pool) expect(Math.abs((counts.get(c.seq) ?? 0) / 1000 - performanceScore(c) / total)).toBeLessThan(0.02);
    expect(counts.get(3)).toBeGreaterThan(counts.get(2)!);
    expect(counts.get(2)).toBeGreaterThan(counts.get(1)!);
  });

  it("every strategy returns nothing from an empty pool and the only VM from a pool of one", () => {
    for (const s of STRATEGIES) {
      expect(chooseCandidate(s, [], newStrategyState())).toBeUndefined();
      expect(chooseCandidate(s, [pool[0]!], newStrategyState())?.seq).toBe(1);
    }
  });
});
