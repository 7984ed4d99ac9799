import { describe, expect, it } from "vitest";
import { buildThesaurusFromSources, createAutocomplete, jaroWinkler } from "../../src/knowledge/index.js";

const { thesaurus } = buildThesaurusFromSources("t", [
  { path: "bun.md", content: "synonyms:: pnpm, npm, yarn\n" },
  { path: "bun install.md", content: "synonyms:: pnpm install, npm install\n" },
  { path: "deployment.md", content: "synonyms:: deploy, deploys, rollout\n" },
  { path: "depot.md", content: "synonyms:: warehouse\n" },
]);
const ac = createAutocomplete(thesaurus);

describe("autocomplete", () => {
  it("ranks the exact term first, then prefix matches shortest first", () => {
    const s = ac.suggest("dep", { fuzzy: false });
    expect(s.map((x) => x.term)).toEqual(["depot", "deploy", "deploys", "deployment"]);
    expect(s.every((x) => x.kind === "prefix")).toBe(true);
    const exact = ac.suggest("PNPM", { fuzzy: false });
    expect(exact.map((x) => [x.term, x.kind, x.concept])).toEqual([
      ["pnpm", "exact", "bun"],
      ["pnpm install", "prefix", "bun install"],
    ]);
    expect(exact[0]!.score).toBe(1);
    expect(exact[1]!.score).toBeLessThan(1);
  });

  it("adds fuzzy (Jaro-Winkler) matches after the prefix ones, best first", () => {
    const s = ac.suggest("dpeloy");
    expect(s[0]).toMatchObject({ term: "deploy", kind: "fuzzy", concept: "deployment" });
    expect(s.map((x) => x.term)).not.toContain("warehouse");
    const typo = ac.suggest("yran");
    expect(typo[0]?.term).toBe("yarn");
    const mixed = ac.suggest("npm");
    expect(mixed.slice(0, 2).map((x) => x.kind)).toEqual(["exact", "prefix"]);
    expect(mixed.slice(2).every((x) => x.kind === "fuzzy")).toBe(true);
    for (let i = 1; i < mixed.length; i++) expect(mixed[i]!.score).toBeLessThanOrEqual(mixed[i - 1]!.score);
  });

  it("respects the limit and ignores empty queries", () => {
    expect(ac.suggest("d", { limit: 2 })).toHaveLength(2);
    expect(ac.suggest("   ")).toEqual([]);
    expect(ac.suggest("zzzzzz")).toEqual([]);
  });

  it("computes Jaro-Winkler like the reference examples", () => {
    expect(jaroWinkler("martha", "marhta")).toBeCloseTo(0.9611, 3);
    expect(jaroWinkler("dixon", "dicksonx")).toBeCloseTo(0.8133, 3);
    expect(jaroWinkler("abc", "abc")).toBe(1);
    expect(jaroWinkler("abc", "xyz")).toBe(0);
  });
});
