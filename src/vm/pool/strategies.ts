import type { StrategyName } from "./config-schema.js";

/** A ready VM as the strategies see it. */
export interface Candidate {
  /** Pool-wide creation order: lower = made earlier. */
  seq: number;
  type: string;
  /** Position of the type in `[pool] types`. */
  typeIndex: number;
  /** When it became ready (or last passed a probe), ms since the epoch: idle since then. */
  idleSince: number;
  /** Measured restore of this VM (spawn to agent answering), ms. */
  restoreMs: number;
  /** Last probe round trip, ms. */
  probeMs: number;
}

/** What a strategy remembers between choices. */
export interface StrategyState {
  /** The type index chosen last (round-robin). */
  lastTypeIndex: number;
  /** In [0, 1). */
  random: () => number;
}

export function newStrategyState(random: () => number = Math.random): StrategyState {
  return { lastTypeIndex: -1, random };
}

/**
 * Higher is better: the inverse of what a run waits for on this VM (its restore cost as a measure of how the
 * host treats it, plus the probe round trip, which a command pays on every agent call).
 *
 * @example performanceScore({ restoreMs: 90, probeMs: 1 }) // ≈ 0.01
 */
export function performanceScore(c: Pick<Candidate, "restoreMs" | "probeMs">): number {
  return 1 / (1 + c.restoreMs + 10 * c.probeMs);
}

/**
 * Picks one ready VM among those whose type fits the request. Candidates arrive in any order; every
 * strategy is deterministic given `state.random`.
 *
 * - `first-available`: the first type in `[pool] types` order that has one, its most recently readied VM.
 * - `best-performance`: highest performanceScore (lowest restore + probe).
 * - `least-recently-used`: idle the longest.
 * - `round-robin`: the next type after the one chosen last (cycling), its longest-idle VM.
 * - `weighted-random`: random, weighted by performanceScore.
 */
export function chooseCandidate(strategy: StrategyName, candidates: readonly Candidate[], state: StrategyState): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const by = (cmp: (a: Candidate, b: Candidate) => number) => [...candidates].sort((a, b) => cmp(a, b) || a.seq - b.seq)[0];
  switch (strategy) {
    case "first-available":
      return by((a, b) => a.typeIndex - b.typeIndex || b.idleSince - a.idleSince);
    case "best-performance":
      return by((a, b) => performanceScore(b) - performanceScore(a));
    case "least-recently-used":
      return by((a, b) => a.idleSince - b.idleSince);
    case "round-robin": {
      const types = [...new Set(candidates.map((c) => c.typeIndex))].sort((a, b) => a - b);
      const next = types.find((t) => t > state.lastTypeIndex) ?? types[0] ?? 0;
      state.lastTypeIndex = next;
      return by((a, b) => Number(a.typeIndex !== next) - Number(b.typeIndex !== next) || a.idleSince - b.idleSince);
    }
    case "weighted-random": {
      const sorted = [...candidates].sort((a, b) => a.seq - b.seq);
      const weights = sorted.map(performanceScore);
      let r = state.random() * weights.reduce((a, b) => a + b, 0);
      for (const [i, c] of sorted.entries()) {
        r -= weights[i] ?? 0;
        if (r < 0) return c;
      }
      return sorted.at(-1);
    }
  }
}
