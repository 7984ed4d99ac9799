import fs from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { TERRAPHIM_KG, writeTree } from "../helpers/tmp.js";

let env: NodeJS.ProcessEnv;
let project: string;
const cli = (...args: string[]) => runCli(args, { cwd: project, env });
const FIXTURE_KG = TERRAPHIM_KG;

beforeEach(() => {
  ({ project, env } = freshCliProject());
  writeTree(project, {
    "firebreak.toml": `[vm]\nbackend = "none"\n[roles.terraphim]\npermissions = ["read", "write", "execute"]\nrisk_ceiling = "high"\nknowledge_graph = ${JSON.stringify(FIXTURE_KG)}\n`,
  });
});

describe("firebreak kg", () => {
  it("builds the fixture graph into Terraphim JSON where npm, yarn and pnpm map to bun, listing conflicts", async () => {
    const out = path.join(project, "t.json");
    const r = await cli("kg", "build", FIXTURE_KG, "-o", out);
    expect(r.code).toBe(0);
    const json = JSON.parse(fs.readFileSync(out, "utf8")) as { name: string; data: Record<string, { id: number; nterm: string; url: string | null }> };
    for (const term of ["npm", "yarn", "pnpm"]) expect(json.data[term]?.nterm).toBe("bun");
    expect(r.stdout).toMatch(/\d+ conflicts \(term: winner <- losers\)/);
    expect(r.stdout).toContain("pip install: uv");
  });

  it("reports the leftmost-longest match with positions", async () => {
    const r = await cli("kg", "match", "we deploy with pnpm install today", "--json", "--role", "terraphim");
    expect(r.code).toBe(0);
    const matches = JSON.parse(r.stdout) as unknown;
    expect(JSON.stringify(matches)).toContain('"pnpm install"');
    expect(JSON.stringify(matches)).toContain('"bun install"');
    const text = await cli("kg", "match", "we deploy with pnpm install today");
    expect(text.stdout).toContain('15-27 (bytes 15-27) "pnpm install"');
  });

  it("shows deploy's three required concepts matched for the default role", async () => {
    const r = await cli("run", "deploy", "staging", "--plan");
    expect(r.stdout).toContain("concepts: deployment ✓, production ✓, continuous_integration ✓");
  });

  it("records the concepts found in the rendered script in the audit record", async () => {
    writeTree(project, { ".firebreak/commands/ship.md": "---\nname: ship\ndescription: d\ncommand: echo deploy to production after ci\n---\n" });
    await cli("run", "ship");
    const [record] = JSON.parse((await cli("audit", "tail", "-n", "1", "--json")).stdout) as { concepts: { in_script: string[] } }[];
    expect(record!.concepts.in_script).toEqual(expect.arrayContaining(["deployment", "production"]));
  });

  it("refuses deploy for a role whose graph lacks the concepts, naming each", async () => {
    const r = await cli("run", "deploy", "staging", "--dry-run", "--role", "terraphim");
    expect(r.code).toBe(77);
    expect(r.stderr).toContain("missing knowledge-graph concepts in role terraphim's graph: deployment, production, continuous_integration");
  });
});
