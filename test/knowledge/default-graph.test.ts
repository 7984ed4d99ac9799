import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { buildThesaurusFromMarkdown, createMatcher, validateRequiredConcepts } from "../../src/knowledge/index.js";
import { REPO_ROOT } from "../helpers/tmp.js";

const DEFAULT_GRAPH = path.join(REPO_ROOT, "kg/default");
const BUNDLED_COMMANDS = path.join(REPO_ROOT, "commands");

function requiredConcepts(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of fs.readdirSync(BUNDLED_COMMANDS).filter((n) => n.endsWith(".md"))) {
    const text = fs.readFileSync(path.join(BUNDLED_COMMANDS, f), "utf8");
    const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1];
    if (!front) continue;
    const data = YAML.parse(front) as { knowledge_graph_required?: string[] };
    if (data.knowledge_graph_required?.length) out.set(f, data.knowledge_graph_required);
  }
  return out;
}

describe("bundled default knowledge graph", () => {
  it("builds without conflicts, every file contributing a concept", async () => {
    const build = await buildThesaurusFromMarkdown(DEFAULT_GRAPH, { name: "default" });
    expect(build.conflicts).toEqual([]);
    expect(build.filesWithoutSynonyms).toEqual([]);
    expect(build.thesaurus.concepts().length).toBeGreaterThanOrEqual(30);
  });

  it("covers the required concepts of every bundled command, as concepts", async () => {
    const { thesaurus } = await buildThesaurusFromMarkdown(DEFAULT_GRAPH);
    const required = requiredConcepts();
    expect([...required.values()].flat()).toEqual(
      expect.arrayContaining(["deployment", "production", "continuous_integration", "security", "vulnerability_assessment", "compliance", "backup", "data_protection"]),
    );
    for (const [file, concepts] of required) {
      const r = validateRequiredConcepts(concepts, thesaurus);
      expect(r.missing, file).toEqual([]);
      for (const m of r.matched) expect(m.via, `${file}: ${m.required}`).toBe("concept");
    }
  });

  it("tags realistic developer text with the expected concepts", async () => {
    const { thesaurus } = await buildThesaurusFromMarkdown(DEFAULT_GRAPH);
    const concepts = createMatcher(thesaurus, { wholeWord: true }).concepts(
      "Run the unit tests in the CI pipeline, then deploy to prod with kubectl; take a database snapshot first and check the CVE report.",
    );
    expect(concepts).toEqual(["testing", "continuous_integration", "deployment", "production", "kubernetes", "database", "backup", "vulnerability_assessment"]);
  });
});
