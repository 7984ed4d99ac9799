import { describe, expect, it } from "vitest";
import { buildThesaurusFromSources, validateRequiredConcepts } from "../../src/knowledge/index.js";

const { thesaurus } = buildThesaurusFromSources("t", [
  { path: "continuous_integration.md", content: "synonyms:: ci pipeline\n" },
  { path: "data protection.md", content: "synonyms:: privacy\n" },
  { path: "deployment.md", content: "synonyms:: deploy, roll-out\n" },
]);

describe("validateRequiredConcepts", () => {
  it("resolves concepts, synonyms and _/-/space variants, keeping the order and listing what is missing", () => {
    const r = validateRequiredConcepts(
      ["Deployment", "deploy", "continuous integration", "data_protection", "Data-Protection", "roll_out", "kubernetes", "", "ci pipeline"],
      thesaurus,
    );
    expect(r.matched).toEqual([
      { required: "Deployment", concept: "deployment", term: "deployment", via: "concept" },
      { required: "deploy", concept: "deployment", term: "deploy", via: "synonym" },
      { required: "continuous integration", concept: "continuous_integration", term: "continuous_integration", via: "loose" },
      { required: "data_protection", concept: "data protection", term: "data protection", via: "loose" },
      { required: "Data-Protection", concept: "data protection", term: "data protection", via: "loose" },
      { required: "roll_out", concept: "deployment", term: "roll-out", via: "loose" },
      { required: "ci pipeline", concept: "continuous_integration", term: "ci pipeline", via: "synonym" },
    ]);
    expect(r.missing).toEqual(["kubernetes", ""]);
  });

  it("an empty list is trivially satisfied", () => {
    expect(validateRequiredConcepts([], thesaurus)).toEqual({ matched: [], missing: [] });
  });
});
