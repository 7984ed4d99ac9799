import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  buildThesaurusFromMarkdown,
  buildThesaurusFromSources,
  conceptFromPath,
  parseSynonymsLine,
} from "../../src/knowledge/index.js";
import { KnowledgeGraphError } from "../../src/errors.js";
import { TERRAPHIM_KG, tempDir, writeTree } from "../helpers/tmp.js";

const FIXTURE = TERRAPHIM_KG;

describe("thesaurus from the Terraphim fixture graph", () => {
  it("maps npm, yarn and pnpm to concept bun and the install commands to bun install", async () => {
    const { thesaurus } = await buildThesaurusFromMarkdown(FIXTURE, { name: "engineer" });
    for (const t of ["npm", "yarn", "pnpm", "bun"]) expect(thesaurus.lookup(t)?.nterm, t).toBe("bun");
    for (const t of ["npm install", "yarn install", "pnpm install", "bun install"]) expect(thesaurus.lookup(t)?.nterm, t).toBe("bun install");
    expect(thesaurus.name).toBe("engineer");
  });

  it("reads sub-folders and names with spaces, ignores .md.old files", async () => {
    const build = await buildThesaurusFromMarkdown(FIXTURE);
    expect(build.files).toContain("checklists/security.md");
    expect(build.files).toContain("bun install.md");
    expect(build.files.some((f) => f.endsWith(".old"))).toBe(false);
    expect(build.thesaurus.lookup("security audit")?.nterm).toBe("security");
    expect(build.thesaurus.lookup("docker-compose")?.nterm).toBe("docker compose");
    // Only the .old file lists https://anthropic.com under concept terraphim_ai_url.
    expect(build.thesaurus.hasConcept("terraphim_ai_url")).toBe(false);
    expect(build.thesaurus.hasConcept("terraphim_ai_link")).toBe(false);
  });

  it("lists files without a synonyms:: line and gives them no concept (as Terraphim)", async () => {
    const build = await buildThesaurusFromMarkdown(FIXTURE);
    expect(build.filesWithoutSynonyms).toContain("PACKAGE_MANAGER_REPLACEMENT.md");
    // knowledge-graph-system.md only has "[example] synonyms::" lines, which are not synonyms lines.
    expect(build.filesWithoutSynonyms).toContain("knowledge-graph-system.md");
    expect(build.thesaurus.hasConcept("package_manager_replacement")).toBe(false);
    expect(build.thesaurus.lookup("data analysis")).toBeUndefined();
  });

  it("reports conflicts: a concept keeps its own name, otherwise the first file by sorted path wins", async () => {
    const { conflicts, thesaurus } = await buildThesaurusFromMarkdown(FIXTURE);
    const byTerm = new Map(conflicts.map((c) => [c.term, c]));
    expect(byTerm.get("pip install")).toEqual({
      term: "pip install",
      winner: { concept: "uv", file: "uv.md", line: 5 },
      losers: [{ concept: "uv_add", file: "uv_add.md", line: 5 }],
    });
    expect(thesaurus.lookup("pip install")?.nterm).toBe("uv");
    // service.md lists "middleware", but middleware.md defines the concept middleware.
    expect(byTerm.get("middleware")?.winner.concept).toBe("middleware");
    expect(byTerm.get("middleware")?.losers.map((l) => l.concept)).toEqual(["service"]);
    expect(byTerm.get("graph")?.winner.concept).toBe("graph");
    expect(conflicts.map((c) => c.term)).toEqual([...conflicts.map((c) => c.term)].sort());
  });

  it("gives every term of a concept the same id, ids 1..n in concept order", async () => {
    const { thesaurus } = await buildThesaurusFromMarkdown(FIXTURE);
    const concepts = thesaurus.concepts();
    for (const e of thesaurus.entries()) expect(e.id).toBe(concepts.indexOf(e.nterm) + 1);
    expect(thesaurus.lookup("npm")?.id).toBe(thesaurus.lookup("bun")?.id);
  });
});

describe("buildThesaurusFromSources", () => {
  const sources = [
    { path: "b/Deploy.md", content: "# Deploy\n\n  synonyms:: Ship It, rollout,, \n" },
    { path: "a/release.md", content: "synonyms:: rollout, tag\n[example] synonyms:: nope\n- synonyms:: nope2\nchecklist:: x\n" },
    { path: "c/deploy.md", content: "\uFEFFsynonyms:: push to prod\r\n" },
  ];

  it("applies the line rules: leading whitespace ok, items trimmed and lowercased, empty items dropped", () => {
    const { thesaurus } = buildThesaurusFromSources("t", sources);
    expect(thesaurus.lookup("ship it")?.nterm).toBe("deploy");
    expect(thesaurus.lookup("push to prod")?.nterm).toBe("deploy");
    expect(thesaurus.lookup("nope")).toBeUndefined();
    expect(thesaurus.lookup("nope2")).toBeUndefined();
    expect(thesaurus.lookup("x")).toBeUndefined();
    expect(thesaurus.terms()).not.toContain("");
  });

  it("is independent of the order the sources come in", () => {
    const a = buildThesaurusFromSources("t", sources);
    const b = buildThesaurusFromSources("t", [...sources].reverse());
    expect(b.thesaurus.entries()).toEqual(a.thesaurus.entries());
    expect(b.conflicts).toEqual(a.conflicts);
    // a/release.md sorts before b/Deploy.md, so release wins "rollout".
    expect(a.thesaurus.lookup("rollout")?.nterm).toBe("release");
    expect(a.conflicts).toEqual([
      { term: "rollout", winner: { concept: "release", file: "a/release.md", line: 1 }, losers: [{ concept: "deploy", file: "b/Deploy.md", line: 3 }] },
    ]);
  });

  it("derives concepts from file stems", () => {
    expect(conceptFromPath("x/ Bun Install .md")).toBe("bun install");
    expect(conceptFromPath("UPPER.MD")).toBe("upper");
    expect(parseSynonymsLine("synonyms::a,b")).toEqual(["a", "b"]);
    expect(parseSynonymsLine("Synonyms:: a")).toBeUndefined();
  });
});

describe("buildThesaurusFromMarkdown errors", () => {
  it("names the path when the folder does not exist or is a file", async () => {
    const dir = tempDir("fb-kg-");
    writeTree(dir, { "f.md": "synonyms:: a\n" });
    await expect(buildThesaurusFromMarkdown(path.join(dir, "missing"))).rejects.toThrow(KnowledgeGraphError);
    await expect(buildThesaurusFromMarkdown(path.join(dir, "f.md"))).rejects.toThrow(/f\.md: not a folder/);
  });

  it("skips hidden files and folders", async () => {
    const dir = tempDir("fb-kg-");
    writeTree(dir, { ".git/x.md": "synonyms:: hidden\n", ".y.md": "synonyms:: hidden2\n", "z.md": "synonyms:: shown\n" });
    const { thesaurus, files } = await buildThesaurusFromMarkdown(dir);
    expect(files).toEqual(["z.md"]);
    expect(thesaurus.terms()).toEqual(["shown", "z"]);
  });
});
