// `npm run bundle`: the two bundles `bin/firebreak.js` loads, from tsc's output in dist/src.
// - dist/cli/main.js: the whole CLI, ES modules split into chunks (the server, the UI and MCP load only when used);
// - dist/client.cjs: the lean client that talks to a running daemon (CommonJS: no ES module loader at start).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
// Loaded from node_modules at run time: native bindings and WebAssembly that locate their files beside them.
const external = ["web-tree-sitter", "tree-sitter", "tree-sitter-bash", "react-devtools-core"];

/**
 * zod exports every locale it has (~360 KB of the CLI's ~2 MB) through `z.locales`; firebreak's messages are
 * English only, so the bundle carries only `en`. Each CLI call compiles what the bundle loads at start.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)) return undefined;
      return { path: path.resolve(path.dirname(args.importer), "../locales/en.js"), namespace: "zod-locales" };
    });
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
      loader: "js",
    }));
  },
};

fs.rmSync(path.join(dist, "cli"), { recursive: true, force: true });
await build({
  entryPoints: [path.join(dist, "src/cli/main.js")],
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outdir: path.join(dist, "cli"),
  chunkNames: "chunks/[name]-[hash]",
  external,
  plugins: [zodEnglishOnly],
  logLevel: "warning",
  banner: { js: "import { createRequire as __firebreakRequire } from 'node:module'; const require = __firebreakRequire(import.meta.url);" },
});
await build({
  entryPoints: [path.join(dist, "src/client/main.js")],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  outfile: path.join(dist, "client.cjs"),
  logLevel: "warning",
  define: { "import.meta.url": "__firebreakUrl" },
  banner: { js: "const __firebreakUrl = require('node:url').pathToFileURL(__filename).href;" },
});
