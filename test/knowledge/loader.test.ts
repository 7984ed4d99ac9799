import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KnowledgeGraphError } from "../../src/errors.js";
import { loadKnowledgeGraph, serializeThesaurus } from "../../src/knowledge/index.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

const dirs: string[] = [];
const fresh = (prefix: string) => {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function graphDir(): string {
  const dir = fresh("fb-kg-src-");
  writeTree(dir, {
    "bun.md": "# bun\n\nsynonyms:: pnpm, npm, yarn\n",
    "sub/bun install.md": "synonyms:: pnpm install, npm install\n",
    "notes.md": "no synonyms here\n",
  });
  return dir;
}

/** The cache's key lives apart from the cache (in the config dir, in real use). */
const keyFileIn = (cacheDir: string) => path.join(`${cacheDir}-config`, "cache.key");

describe("loadKnowledgeGraph", () => {
  it("builds a markdown folder, caches it, and serves the second load from the cache", async () => {
    const dir = graphDir();
    const cacheDir = fresh("fb-kg-cache-");
    const first = await loadKnowledgeGraph(dir, { cacheDir, cacheKeyFile: keyFileIn(cacheDir), name: "dev" });
    expect(first.fromCache).toBe(false);
    expect(first.kind).toBe("markdown");
    expect(first.filesWithoutSynonyms).toEqual(["notes.md"]);
    expect(fs.readdirSync(cacheDir)).toEqual([`${first.contentHash}.json`]);
    const second = await loadKnowledgeGraph(dir, { cacheDir, cacheKeyFile: keyFileIn(cacheDir), name: "dev" });
    expect(second.fromCache).toBe(true);
    expect(second.contentHash).toBe(first.contentHash);
    expect(second.thesaurus.entries()).toEqual(first.thesaurus.entries());
    expect(second.filesWithoutSynonyms).toEqual(["notes.md"]);
    expect(second.matcher.find("pnpm install")[0]?.concept).toBe("bun install");
    expect(second.name).toBe("dev");
  });

  it("invalidates the cache when a markdown file changes, is added or is renamed", async () => {
    const dir = graphDir();
    const cacheDir = fresh("fb-kg-cache-");
    const a = await loadKnowledgeGraph(dir, { cacheDir, cacheKeyFile: keyFileIn(cacheDir) });
    fs.writeFileSync(path.join(dir, "bun.md"), "# bun\n\nsynonyms:: pnpm, npm, yarn, bunx\n");
    const b = await loadKnowledgeGraph(dir, { cacheDir, cacheKeyFile: keyFileIn(cacheDir) });
    expect(b.fromCache).toBe(false);
    expect(b.contentHash).not.toBe(a.contentHash);
    expect(b.thesaurus.lookup("bunx")?.nterm).toBe("bun");
    expect((await loadKnowledgeGraph(dir, { cacheDir, cacheKeyFile: keyFileIn(cacheDir) })).fromCache).toBe(true);

    fs.writeFileSync(path.join(dir, "deno.md"), "synonyms:: deno run\n");
    const c = await loadKnowledgeGraph(dir, { cacheDir, cacheKeyFile: keyFileIn(cacheDir) });
    expect(c.fromCache).toBe(false);
    expect(c.thesaurus.hasConcept("deno")).toBe(true);

    fs.renameSync(path.join(dir, "deno.md"), path.join(dir, "deno2.md"));
    const d = await loadKnowledgeGraph(dir, { cacheDir, cacheKeyFile: keyFileIn(cacheDir) });
    expect(d.fromCache).toBe(false);
    expect(d.thesaurus.hasConcept("deno2")).toBe(true);
    expect(d.thesaurus.hasConcept("deno")).toBe(false);
  });

  it("a cache entry edited by someone without the key is not trusted: a planted synonym does not count", async () => {
    const dir = graphDir();
    const cacheDir = fresh("fb-kg-cache-");
    const a = await loadKnowledgeGraph(dir, { cacheDir, cacheKeyFile: keyFileIn(cacheDir) });
    const entry = path.join(cacheDir, `${a.contentHash}.json`);
    fs.writeFileSync(entry, fs.readFileSync(entry, "utf8").replace('"pnpm"', '"rm -rf"'));
    const b = await loadKnowledgeGraph(dir, { cacheDir, cacheKeyFile: keyFileIn(cacheDir) });
    expect(b.fromCache).toBe(false);
    expect(b.thesaurus.lookup("rm -rf")).toBeUndefined();
    expect(b.thesaurus.lookup("pnpm")?.nterm).toBe("bun");
  });

  it("rebuilds over a corrupt cache entry instead of trusting it", async () => {
    const dir = graphDir();
    const cacheDir = fresh("fb-kg-cache-");
    const a = await loadKnowledgeGraph(dir, { cacheDir, cacheKeyFile: keyFileIn(cacheDir) });
    const entry = path.join(cacheDir, `${a.contentHash}.json`);
    fs.writeFileSync(entry, "{not json");
    const b = await loadKnowledgeGraph(dir, { cacheDir, cacheKeyFile: keyFileIn(cacheDir) });
    expect(b.fromCache).toBe(false);
    expect(b.thesaurus.entries()).toEqual(a.thesaurus.entries());
    const rewritten = fs.readFileSync(entry, "utf8");
    expect(JSON.parse(rewritten.slice(rewritten.indexOf("\n") + 1)).contentHash).toBe(a.contentHash); // after its seal
    expect((await loadKnowledgeGraph(dir, { cacheDir, cacheKeyFile: keyFileIn(cacheDir) })).fromCache).toBe(true);
  });

  it("works without a cache dir and loads Terraphim JSON files", async () => {
    const dir = graphDir();
    const built = await loadKnowledgeGraph(dir, { name: "engineer" });
    expect(built.fromCache).toBe(false);
    const file = path.join(fresh("fb-kg-json-"), "t.json");
    fs.writeFileSync(file, serializeThesaurus(built.thesaurus));
    const loaded = await loadKnowledgeGraph(file, { cacheDir: fresh("fb-kg-cache-") });
    expect(loaded.kind).toBe("json");
    expect(loaded.name).toBe("engineer");
    expect(loaded.thesaurus.entries()).toEqual(built.thesaurus.entries());
    expect(loaded.matcher.find("YARN")[0]?.concept).toBe("bun");
  });

  it("fails with the path when the source is missing or malformed", async () => {
    const base = fresh("fb-kg-bad-");
    await expect(loadKnowledgeGraph(path.join(base, "nope"))).rejects.toThrow(KnowledgeGraphError);
    fs.writeFileSync(path.join(base, "bad.json"), '{"name": 1}');
    await expect(loadKnowledgeGraph(path.join(base, "bad.json"))).rejects.toThrow(/bad\.json: field 'name'/);
  });
});
