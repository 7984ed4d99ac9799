import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kgCommand } from "../../src/cli/kg-cmd.js";
import { RefusedError, UsageError } from "../../src/errors.js";
import { type LoadedKnowledgeGraph, loadKnowledgeGraph } from "../../src/knowledge/index.js";
import { REPO_ROOT, TERRAPHIM_KG, tempDir } from "../helpers/tmp.js";

const FIXTURE = TERRAPHIM_KG;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function run(args: string[], opts: { commands?: Record<string, string[]> } = {}) {
  const lines: string[] = [];
  const roles: (string | undefined)[] = [];
  const graphs: Record<string, Promise<LoadedKnowledgeGraph>> = {};
  const cmd = kgCommand({
    stdout: (s) => lines.push(s),
    resolveRoleGraph: (role) => {
      roles.push(role);
      const source = role === "fixture" ? FIXTURE : path.join(REPO_ROOT, "kg/default");
      graphs[source] ??= loadKnowledgeGraph(source, { name: role ?? "default" });
      return graphs[source]!;
    },
    loadCommand: async (name) => {
      const required = opts.commands?.[name];
      if (!required) throw new UsageError(`unknown command '${name}'`);
      return { name, knowledge_graph_required: required };
    },
  });
  cmd.exitOverride();
  for (const c of cmd.commands) c.exitOverride();
  await cmd.parseAsync(args, { from: "user" });
  return { lines, out: lines.join("\n"), roles };
}

describe("kg CLI", () => {
  it("build writes Terraphim JSON where npm, yarn and pnpm map to bun, and lists the conflicts", async () => {
    const dir = tempDir("fb-kg-cli-");
    dirs.push(dir);
    const file = path.join(dir, "t.json");
    const { out } = await run(["build", FIXTURE, "-o", file, "--name", "engineer"]);
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(json.name).toBe("engineer");
    for (const t of ["npm", "yarn", "pnpm"]) expect(json.data[t].nterm).toBe("bun");
    expect(out).toMatch(/^engineer: \d+ terms, \d+ concepts from \d+ files -> /);
    expect(out).toContain("pip install: uv (uv.md:5) <- uv_add (uv_add.md:5)");
    expect(out).toMatch(/\n\d+ conflicts \(term: winner <- losers\)/);
  });

  it("build --json prints the thesaurus", async () => {
    const { lines } = await run(["build", FIXTURE, "--json"]);
    expect(JSON.parse(lines.join("\n")).data["pnpm install"].nterm).toBe("bun install");
  });

  it("match reports the leftmost-longest term with positions, as text and JSON, for the chosen role", async () => {
    const text = await run(["match", "we deploy with pnpm install today", "--role", "fixture"]);
    expect(text.roles).toEqual(["fixture"]);
    expect(text.lines).toEqual(['15-27 (bytes 15-27) "pnpm install" -> bun install (term "pnpm install")']);
    const json = await run(["match", "we deploy with pnpm install today", "--role", "fixture", "--json"]);
    expect(JSON.parse(json.out)).toEqual([
      { term: "pnpm install", concept: "bun install", id: expect.any(Number), url: null, text: "pnpm install", start: 15, end: 27, byteStart: 15, byteEnd: 27 },
    ]);
    const none = await run(["match", "nothing to see", "--role", "fixture"]);
    expect(none.lines).toEqual(["no matches"]);
  });

  it("match --whole-word skips terms inside words", async () => {
    const loose = await run(["match", "unit tests pass", "--json"]);
    expect(JSON.parse(loose.out).map((m: { term: string }) => m.term)).toEqual(["unit tests"]);
    const whole = await run(["match", "latest contest", "--json", "--whole-word"]);
    expect(JSON.parse(whole.out)).toEqual([]);
    const substr = await run(["match", "latest contest", "--json"]);
    expect(JSON.parse(substr.out).map((m: { term: string }) => m.term)).toEqual(["test", "test"]);
  });

  it("replace renders links", async () => {
    const { lines } = await run(["replace", "npm install && yarn build", "--role", "fixture", "--link", "wiki"]);
    expect(lines).toEqual(["[[bun install]] && [[bun]] build"]);
  });

  it("concepts lists concepts with their synonyms", async () => {
    const { lines } = await run(["concepts", "--role", "fixture"]);
    expect(lines[0]).toMatch(/^fixture: \d+ concepts, \d+ terms$/);
    expect(lines).toContain("bun: npm, pnpm, yarn");
    const json = JSON.parse((await run(["concepts", "--json"])).out);
    expect(json.deployment).toContain("rollout");
  });

  it("suggest ranks prefix matches and honours --limit", async () => {
    const { lines } = await run(["suggest", "deplo", "--limit", "2"]);
    expect(lines).toEqual([expect.stringMatching(/^deploy -> deployment \(prefix, /), expect.stringMatching(/^deploys -> deployment \(prefix, /)]);
    await expect(run(["suggest", "x", "--limit", "0"])).rejects.toThrow(/positive integer/);
  });

  it("check passes when the role's graph has every required concept and refuses naming the missing ones", async () => {
    const commands = { deploy: ["deployment", "production", "continuous_integration"] };
    const ok = await run(["check", "deploy"], { commands });
    expect(ok.lines).toEqual([
      "deploy: 3 required concepts, graph 'default'",
      "  ok      deployment -> deployment",
      "  ok      production -> production",
      "  ok      continuous_integration -> continuous_integration",
    ]);
    const refused = run(["check", "deploy", "--role", "fixture"], { commands });
    await expect(refused).rejects.toThrow(RefusedError);
    await expect(refused).rejects.toThrow(/missing from knowledge graph 'fixture': deployment, production, continuous_integration/);
    await expect(run(["check", "nope"], { commands })).rejects.toThrow(/unknown command 'nope'/);
  });
});
