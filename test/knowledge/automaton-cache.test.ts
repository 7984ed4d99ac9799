import { describe, expect, it } from "vitest";
import { Automaton } from "../../src/knowledge/automaton.js";
import { restoreAutomaton, serializeAutomaton } from "../../src/knowledge/automaton-serial.js";

const PATTERNS = ["he", "hers", "she", "his", "npm install", "pnpm install", "bun", "ρσ", "straße"];
const TEXTS = ["ushers", "run pnpm install then npm install with bun", "ΡΣ straße his hers", "", "hehehe shishe"];

describe("the automaton kept in the knowledge-graph cache", () => {
  it("restored from its JSON it finds exactly what the built one finds", () => {
    for (const maxDenseDepth of [0, 4]) {
      const built = Automaton.build(PATTERNS, { maxDenseDepth });
      const restored = restoreAutomaton(JSON.parse(JSON.stringify(serializeAutomaton(built, PATTERNS))), PATTERNS)!;
      expect(restored).toBeDefined();
      for (const text of TEXTS) {
        expect(restored.findLeftmostLongest(text, restored.classOf)).toEqual(built.findLeftmostLongest(text, built.classOf));
      }
      expect(restored.stateCount).toBe(built.stateCount);
    }
  });

  it("is not used for other patterns, or when an array is cut", () => {
    const s = serializeAutomaton(Automaton.build(PATTERNS), PATTERNS);
    expect(restoreAutomaton(s, [...PATTERNS.slice(0, -1), "strasz"])).toBeUndefined(); // same count and lengths, another pattern
    expect(restoreAutomaton(s, PATTERNS.slice(1))).toBeUndefined();
    expect(restoreAutomaton({ ...s, fail: s.fail.slice(0, -8) }, PATTERNS)).toBeUndefined();
    expect(restoreAutomaton({ ...s, format: "other" }, PATTERNS)).toBeUndefined();
    expect(restoreAutomaton(undefined, PATTERNS)).toBeUndefined();
  });
});
