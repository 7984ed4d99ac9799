import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/tmp.js";

/**
 * The layer rule (docs/ARCHITECTURE.md): data flows down, and no import runs back up a layer.
 * Lower number = higher layer; a module may import its own folder, any lower layer, and siblings of
 * the same layer only among the stages.
 */
const LAYERS: Record<string, number> = {
  // The CLI program is the outermost edge: `serve` starts the server, `daemon` uses the client.
  cli: 0,
  // The terminal UI is an edge beside cli/ (which loads it lazily): it uses the engine, the daemon client and
  // cli/'s pure views, never the commander program.
  tui: 0.5,
  // The server renders a relayed CLI call (POST /v1/cli) with the lean client's own code.
  server: 0.75,
  client: 1,
  "firebreak.ts": 2,
  api: 2,
  // Claude Code's hook: the protocol (pure, bundled into the lean client) and its answers from the engine.
  claude: 2,
  // The MCP server consumes the engine like server/ does; server/ (its /mcp route) and cli/ (`firebreak mcp`) use it.
  mcp: 2,
  engine: 3,
  config: 4,
  commands: 5,
  knowledge: 5,
  policy: 5,
  hooks: 5,
  exec: 5,
  vm: 5,
  audit: 5,
  changes: 5,
  "errors.ts": 6,
  "paths.ts": 6,
  "sealed-file.ts": 6,
  "compare.ts": 6,
  "file-lock.ts": 6,
  "build-id.ts": 6,
  "lazy.ts": 6,
  "clock.ts": 6,
};
const STAGE_LAYER = 5;
/** The lean client shares the CLI's pure views (no engine): these and only these. */
const CLIENT_MAY_USE = ["cli/view/", "cli/output.ts", "cli/options.ts", "cli/prompt.ts"];
/** The server renders a relayed CLI call's output as the CLI does. */
const SERVER_MAY_USE = ["cli/output.ts"];
/** The terminal UI renders with the CLI's pure views and its control-character escaping. */
const TUI_MAY_USE = ["cli/view/", "cli/output.ts", "cli/visible.ts"];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

function unitOf(rel: string): string {
  return rel.includes("/") ? rel.slice(0, rel.indexOf("/")) : rel;
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!);
}

describe("layers", () => {
  const src = path.join(REPO_ROOT, "src");
  const violations: string[] = [];
  for (const file of sourceFiles(src)) {
    const rel = path.relative(src, file);
    if (rel === "index.ts") continue; // the public index re-exports every stage
    const from = unitOf(rel);
    for (const spec of imports(file)) {
      const resolved = path.relative(src, path.resolve(path.dirname(file), spec)).replace(/\.js$/, ".ts");
      const target = fs.existsSync(path.join(src, resolved)) ? resolved : resolved.replace(/\.ts$/, ".tsx");
      const to = unitOf(target);
      if (to === from) continue;
      const [a, b] = [LAYERS[from], LAYERS[to]];
      if (a === undefined || b === undefined) {
        violations.push(`${rel} -> ${target}: a folder missing from the layer table`);
        continue;
      }
      const clientShare =
        (from === "client" && CLIENT_MAY_USE.some((p) => target.startsWith(p))) ||
        (from === "tui" && TUI_MAY_USE.some((p) => target.startsWith(p))) ||
        (from === "server" && SERVER_MAY_USE.some((p) => target.startsWith(p)));
      const stageSibling = a === STAGE_LAYER && b === STAGE_LAYER;
      if (b <= a && !clientShare && !stageSibling) violations.push(`${rel} -> ${target}`);
    }
  }

  it("no import runs back up a layer", () => {
    expect(violations).toEqual([]);
  });

  it("the CLI's main bundle loads no React: the terminal UI is a chunk loaded only by `firebreak tui`", () => {
    const main = fs.readFileSync(path.join(REPO_ROOT, "dist/cli/main.js"), "utf8");
    for (const marker of ["react-reconciler", "useSyncExternalStore", "yoga-layout"]) {
      expect({ marker, found: main.includes(marker) }).toEqual({ marker, found: false });
    }
  });

  it("the lean client bundle loads none of the engine, tree-sitter, the knowledge graph, zod or hono", () => {
    const bundle = fs.readFileSync(path.join(REPO_ROOT, "dist/client.cjs"), "utf8");
    for (const marker of ["web-tree-sitter", "createShellAnalyzer", "planInvocation", "loadKnowledgeGraph", "ZodError", "OpenAPIHono", "smol-toml"]) {
      expect({ marker, found: bundle.includes(marker) }).toEqual({ marker, found: false });
    }
    expect(bundle.length).toBeLessThan(100_000);
  });
});
