import { describe, expect, it } from "vitest";
import { KnowledgeGraphError } from "../../src/errors.js";
import {
  buildThesaurusFromMarkdown,
  type NormalizedTerm,
  parseTerraphimJson,
  serializeThesaurus,
  Thesaurus,
  toTerraphimJson,
} from "../../src/knowledge/index.js";
import { TERRAPHIM_KG } from "../helpers/tmp.js";

describe("Terraphim JSON", () => {
  it("round-trips the fixture thesaurus: same terms, concepts, ids and bytes", async () => {
    const { thesaurus } = await buildThesaurusFromMarkdown(TERRAPHIM_KG, { name: "Engineer" });
    const text = serializeThesaurus(thesaurus);
    const back = parseTerraphimJson(text);
    expect(back.conflicts).toEqual([]);
    expect(back.thesaurus.name).toBe("Engineer");
    expect(back.thesaurus.entries()).toEqual(thesaurus.entries());
    expect(serializeThesaurus(back.thesaurus)).toBe(text);
    const json = JSON.parse(text);
    expect(json.data.pnpm).toEqual({ id: thesaurus.lookup("bun")!.id, nterm: "bun", url: null });
  });

  it("writes Terraphim's shape with sorted keys", () => {
    const t = new Thesaurus("r", [
      ["yarn", { id: 1, nterm: "bun", url: null }],
      ["bun", { id: 1, nterm: "bun", url: "https://bun.sh" }],
    ]);
    expect(toTerraphimJson(t)).toEqual({ name: "r", data: { bun: { id: 1, nterm: "bun", url: "https://bun.sh" }, yarn: { id: 1, nterm: "bun", url: null } } });
    expect(Object.keys(toTerraphimJson(t).data)).toEqual(["bun", "yarn"]);
  });

  it("accepts string ids, a missing url and extra fields; normalizes terms and concepts", () => {
    const { thesaurus } = parseTerraphimJson(
      JSON.stringify({ name: "old", data: { " NPM ": { id: "7", nterm: "Bun", display_value: "Bun" }, bun: { id: 7, nterm: "bun", url: null } } }),
    );
    expect(thesaurus.lookup("npm")).toEqual({ id: 7, nterm: "bun", url: null });
  });

  it("reports terms that collide after normalization as conflicts, first key in sorted order wins", () => {
    const { thesaurus, conflicts } = parseTerraphimJson(
      JSON.stringify({ name: "r", data: { NPM: { id: 1, nterm: "node", url: null }, npm: { id: 2, nterm: "bun", url: null } } }),
      { file: "t.json" },
    );
    expect(thesaurus.lookup("npm")?.nterm).toBe("node");
    expect(conflicts).toEqual([{ term: "npm", winner: { concept: "node", file: "t.json", line: 0 }, losers: [{ concept: "bun", file: "t.json", line: 0 }] }]);
  });

  it("names the file and field of bad input", () => {
    expect(() => parseTerraphimJson("{", { file: "x.json" })).toThrow(/x\.json: invalid JSON/);
    expect(() => parseTerraphimJson('{"name":"r","data":{"npm":{"id":-1,"nterm":"bun"}}}', { file: "x.json" })).toThrow(
      /x\.json: field 'data\.npm\.id'/,
    );
    expect(() => parseTerraphimJson('{"name":"r","data":{"npm":{"id":1,"nterm":" "}}}', { file: "x.json" })).toThrow(KnowledgeGraphError);
    expect(() => parseTerraphimJson('{"data":{}}', { file: "x.json" })).toThrow(/field 'name'/);
  });

  it("keeps a term named __proto__ as an ordinary term", () => {
    const t = new Thesaurus("r", [["__proto__", { id: 1, nterm: "odd", url: null } satisfies NormalizedTerm]]);
    const back = parseTerraphimJson(serializeThesaurus(t)).thesaurus;
    expect(back.lookup("__proto__")?.nterm).toBe("odd");
  });
});
