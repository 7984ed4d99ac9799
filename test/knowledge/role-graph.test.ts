import { describe, expect, it } from "vitest";
import { buildThesaurusFromSources, createMatcher, RoleGraph } from "../../src/knowledge/index.js";

const { thesaurus } = buildThesaurusFromSources("t", [
  { path: "deployment.md", content: "synonyms:: deploy, rollout\n" },
  { path: "production.md", content: "synonyms:: prod\n" },
  { path: "continuous_integration.md", content: "synonyms:: ci pipeline, continuous integration\n" },
  { path: "backup.md", content: "synonyms:: snapshot\n" },
  { path: "data_protection.md", content: "synonyms:: privacy\n" },
  { path: "testing.md", content: "synonyms:: unit test\n" },
]);

function graph(): RoleGraph {
  const g = new RoleGraph(thesaurus, createMatcher(thesaurus));
  g.indexDocument("d1", "Deploy to prod after the CI pipeline passes; deploy again.");
  g.indexDocument("d2", "Take a snapshot; privacy rules apply to every snapshot.");
  g.indexDocument("d3", "rollout rollout prod");
  return g;
}

describe("RoleGraph", () => {
  it("joins consecutive matched concepts with weighted edges and counts documents per concept", () => {
    const g = graph();
    expect(g.edges()).toEqual([
      { a: "backup", b: "data_protection", weight: 2, documents: ["d2"] },
      { a: "continuous_integration", b: "deployment", weight: 1, documents: ["d1"] },
      { a: "continuous_integration", b: "production", weight: 1, documents: ["d1"] },
      { a: "deployment", b: "production", weight: 2, documents: ["d1", "d3"] },
    ]);
    const nodes = new Map(g.nodes().map((n) => [n.concept, n]));
    expect(nodes.get("deployment")).toEqual({ concept: "deployment", documents: 2, occurrences: 4 });
    expect(nodes.get("production")?.documents).toBe(2);
    expect(g.neighbours("deploy")).toEqual([
      { concept: "production", weight: 2 },
      { concept: "continuous_integration", weight: 1 },
    ]);
    expect(g.edge("prod", "rollout")?.weight).toBe(2);
  });

  it("tells whether concepts (or their synonyms) are joined by paths", () => {
    const g = graph();
    expect(g.connected(["deployment", "production", "continuous_integration"])).toBe(true);
    expect(g.connected(["ci pipeline", "prod"])).toBe(true);
    expect(g.connected(["backup", "privacy"])).toBe(true);
    expect(g.connected(["deployment", "backup"])).toBe(false);
    // testing is a concept no document mentions: isolated.
    expect(g.connected(["testing", "deployment"])).toBe(false);
    expect(g.connected(["testing"])).toBe(true);
    expect(g.connectivity(["deployment", "backup", "nope", "snapshot"])).toEqual({
      connected: false,
      unknown: ["nope"],
      components: [["deployment"], ["backup"]],
    });
  });

  it("builds from a list of documents", () => {
    const g = RoleGraph.fromDocuments(thesaurus, createMatcher(thesaurus), [
      { id: "a", text: "unit test then deploy" },
      { id: "b", text: "deploy, then snapshot" },
    ]);
    expect(g.documentCount).toBe(2);
    expect(g.connected(["testing", "backup"])).toBe(true);
    expect(g.connected(["testing", "production"])).toBe(false);
  });

  it("refuses to index the same document id twice", () => {
    const g = graph();
    expect(() => g.indexDocument("d1", "prod")).toThrow(/already indexed/);
    expect(g.documentCount).toBe(3);
  });
});
