// `npm run bundle`: the three bundles `bin/firebreak.js` chooses from, made from tsc's output in dist/src.
// - dist/cli/main.js: the whole CLI, ES modules split into chunks (the server, the UI and MCP load only when used);
// - dist/cli/frequent.cjs: `run`, `sh`, `commands`, `audit`, `policy`, `claude` alone, as one CommonJS file, and
//   its V8 code cache (frequent.cjs.v8cache), made by running it once: bin/firebreak.js loads it compiled;
// - dist/client.cjs: the lean client that talks to a running daemon (CommonJS: no ES module loader at start).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
// Loaded from node_modules at run time: native bindings and WebAssembly that locate their files beside them.
const external = ["web-tree-sitter", "tree-sitter", "tree-sitter-bash", "react-devtools-core"];

/**
 * This build's identity (src/build-id.ts): a hash of tsc's output and of the installed version of every package
 * (the bundles carry their code). Caches whose entries only the code that wrote them may read key on it.
 */
function computeBuildId() {
  const hash = createHash("sha256");
  const files = fs.readdirSync(path.join(dist, "src"), { recursive: true }).filter((f) => f.endsWith(".js")).sort();
  for (const file of files) hash.update(`${file}\0`).update(fs.readFileSync(path.join(dist, "src", file))).update("\0");
  const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  for (const name of Object.keys(dependencies).sort()) {
    let version = "missing"; // an optional package that is not installed
    try {
      version = JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")).version;
    } catch {}
    hash.update(`${name}@${version}\0`);
  }
  return hash.digest("hex").slice(0, 32);
}
const define = { FIREBREAK_BUILD_ID: JSON.stringify(computeBuildId()) };

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

/**
 * A CommonJS bundle runs through vm.Script (bin/firebreak.js), where `import()` needs an experimental flag: Node's
 * own modules, the only ones left as imports once everything else is bundled, become `require` (same exports).
 */
const builtinImportsAsRequire = {
  name: "builtin-imports-as-require",
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(path.join(dist, "src") + path.sep)) return undefined;
      const source = fs.readFileSync(args.path, "utf8");
      return { contents: source.replace(/\bimport\(("node:[a-z_/]+")\)/g, "Promise.resolve().then(() => require($1))"), loader: "js" };
    });
  },
};

/**
 * Node modules that a short CLI call often never uses (child_process, crypto, net, readline...) but that the
 * bundle's modules import at their top: each costs its own compile at start (~13 ms together for `claude hook`).
 * In the CommonJS bundle, each becomes an object that loads the real module on first use of one of its exports,
 * so a call pays only for what it touches (the bundle's module views read through to it: prototypeModuleViews).
 * The modules Node has loaded before any user code (fs, path, events, util, url, module) and `stream` (a function,
 * not an object) are required as they are.
 */
const LAZY_BUILTINS = ["child_process", "crypto", "dgram", "fs/promises", "http", "https", "net", "os", "perf_hooks", "readline", "readline/promises", "stream/promises", "timers/promises", "tty", "v8", "vm", "worker_threads", "zlib"];
const lazyBuiltins = {
  name: "lazy-builtins",
  setup(b) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.map((m) => m.replace("/", "\\/")).join("|")})$`);
    b.onResolve({ filter }, (args) => {
      if (args.namespace === "lazy-builtin") return { path: args.path, external: true };
      return { path: `node:${args.path.replace(/^node:/, "")}`, namespace: "lazy-builtin" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => ({
      contents: `module.exports = ${lazyProxy(`require(${JSON.stringify(args.path)})`)};`,
      loader: "js",
    }));
  },
};

/**
 * CommonJS for an object that stands for the value of `load` (an expression), evaluated once, on first use of one
 * of its members.
 */
function lazyProxy(load) {
  return `(() => {
  let loaded;
  const load = () => (loaded ??= ${load});
  return new Proxy({}, {
    get: (_, key) => (key === "__esModule" ? undefined : load()[key]),
    set: (_, key, value) => ((load()[key] = value), true),
    has: (_, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_, key) => {
      const own = Reflect.getOwnPropertyDescriptor(load(), key);
      return own && { ...own, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(load()),
  });
})()`;
}

/**
 * zod, loaded on first use, from its own file. Its initialisation costs a CLI call ~5-8 ms, and esbuild's namespace
 * objects for it (~4 ms) are made at load even when zod itself is wrapped to initialise later. A call that
 * validates nothing (the Claude hook, `policy check`, `run` with the configuration and the definitions from their
 * caches: config/validated-cache.ts, commands/parse-cache.ts) never needs it, as long as no module builds a schema
 * at its top (lazy.ts). firebreak's modules import only `{ z }` from "zod"; in the frequent bundle they get an object
 * that requires dist/cli/zod.cjs (zod's ES module build, English messages only) on first use of one of its members.
 */
const ZOD_FILE = "zod.cjs";
/** Packages bundled but run on first use, the same way: yaml parses only a command definition the cache lacks. */
const LAZY_PACKAGES = ["yaml"];
const lazyPackages = {
  name: "lazy-packages",
  setup(b) {
    const filter = new RegExp(`^(zod|${LAZY_PACKAGES.join("|")})$`);
    b.onResolve({ filter }, (args) => {
      if (!args.importer.startsWith(path.join(dist, "src") + path.sep)) return undefined;
      return { path: args.path, namespace: "lazy-package" };
    });
    b.onResolve({ filter: new RegExp(`^\\./${ZOD_FILE.replace(".", "\\.")}$`) }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: "lazy-package" }, (args) => ({
      contents:
        args.path === "zod"
          ? `module.exports = { z: ${lazyProxy(`require("./${ZOD_FILE}").z`)} };`
          : `module.exports = ${lazyProxy(`require(${JSON.stringify(args.path)})`)};`,
      resolveDir: root,
      loader: "js",
    }));
  },
};

/**
 * The native shell parser's JavaScript (tree-sitter, tree-sitter-bash's loader, node-gyp-build) inside the
 * CommonJS bundle, so it comes compiled from the code cache: loaded from node_modules, Node compiled its ~35 KB
 * from source in every CLI call (~8 ms). Only the bindings (`.node`) still load from the packages' own folders,
 * found there by node-gyp-build as before (a binding compiled at install first, else the prebuilt one). The packages'
 * folders are given relative to the bundle. tree-sitter-bash's node-types.json is left out: firebreak gives the
 * language its node classes (policy/shell/tree-sitter-native.ts), so tree-sitter never reads it.
 */
function bundledNativeParser(outDir) {
  const req = createRequire(import.meta.url);
  const packageDir = (name) => path.dirname(req.resolve(`${name}/package.json`));
  try {
    packageDir("tree-sitter");
    packageDir("tree-sitter-bash");
  } catch {
    return undefined; // optional dependencies that did not install: left external, the WebAssembly parser serves
  }
  const fromBundle = (name) => `require("node:path").join(__dirname, ${JSON.stringify(path.relative(outDir, packageDir(name)))})`;
  /** Replaces `from` (which must be there: a changed package fails the build, not the parser) with `to`. */
  const patch = (source, file, from, to) => {
    if (!source.includes(from)) throw new Error(`bundle: ${file} no longer has ${JSON.stringify(from)}: update bundledNativeParser`);
    return source.replace(from, to);
  };
  return {
    name: "bundled-native-parser",
    setup(b) {
      b.onLoad({ filter: /[\\/]tree-sitter-native\.js$/ }, (args) => {
        const source = fs.readFileSync(args.path, "utf8");
        // Without the module's own `require` (createRequire), its require("tree-sitter") and require("tree-sitter-bash")
        // are ones esbuild bundles; they still run only when the parser loads.
        return { contents: patch(source, args.path, "const require = createRequire(import.meta.url);", ""), loader: "js" };
      });
      b.onLoad({ filter: /[\\/]node_modules[\\/]tree-sitter[\\/]index\.js$/ }, (args) => {
        const source = fs.readFileSync(args.path, "utf8");
        const bun = /typeof process\.versions\.bun === "string" \?[\s\S]*?require\('node-gyp-build'\)\(__dirname\);/;
        if (!bun.test(source)) throw new Error(`bundle: ${args.path} no longer loads its binding as expected: update bundledNativeParser`);
        return { contents: source.replace(bun, `require("node-gyp-build")(${fromBundle("tree-sitter")});`), loader: "js" };
      });
      b.onLoad({ filter: /[\\/]node_modules[\\/]tree-sitter-bash[\\/]bindings[\\/]node[\\/]index\.js$/ }, () => ({
        contents: `module.exports = require("node-gyp-build")(${fromBundle("tree-sitter-bash")});`,
        loader: "js",
      }));
    },
  };
}

/**
 * esbuild's `__toESM` (an ES module view of a CommonJS module, made once per importing module) copies every export
 * of the module into a new object as a getter: `node:fs` alone ~100 of them, in each of the ~30 modules that import
 * it, several thousand property definitions in all before a CLI call does anything (~10 ms here). This one makes the
 * view an object whose prototype is the module, with the same `default`: every export reads through to the module,
 * live, as the getters did; only enumerating the view differs, which the bundle's code never does.
 */
const ESBUILD_TO_ESM = `var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));`;
const PROTOTYPE_TO_ESM = `var __toESM = (mod, isNodeMode) => mod !== null && (typeof mod === "object" || typeof mod === "function")
  ? __create(mod, isNodeMode || !mod.__esModule ? { default: { value: mod, enumerable: true } } : {})
  : __defProp({}, "default", { value: mod, enumerable: true });`;
function prototypeModuleViews(file) {
  const source = fs.readFileSync(file, "utf8");
  if (!source.includes(ESBUILD_TO_ESM)) throw new Error(`bundle: ${file} has no esbuild __toESM as expected: update prototypeModuleViews`);
  fs.writeFileSync(file, source.replace(ESBUILD_TO_ESM, PROTOTYPE_TO_ESM));
}

/**
 * Makes the bundle ASCII-only. esbuild escapes non-ASCII characters in strings and identifiers but keeps them in
 * the comments it preserves; a single one makes the whole 1.6 MB source a two-byte string: ~6 ms more to decode and
 * more to hash against the code cache on every call. bin/firebreak.js reads an ASCII bundle as Latin-1 (the same
 * text). A `\uXXXX` escape means the same character in a string, regular expression or identifier, and nothing in a comment.
 */
function asciiOnly(file) {
  const source = fs.readFileSync(file, "utf8");
  // Each UTF-16 unit of a character outside ASCII becomes \uXXXX (a surrogate pair is two escapes, as JavaScript wants).
  fs.writeFileSync(file, source.replace(/[^\0-\x7f]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/** Fails the build when a CommonJS bundle still has an `import()` (it would fail only when that code runs). */
function assertNoDynamicImport(file) {
  const left = /[^.\w]import\(\s*["'`\w]/.exec(fs.readFileSync(file, "utf8"));
  if (left) throw new Error(`${file}: a dynamic import() is left in a CommonJS bundle: ${left[0]}`);
}

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
  define,
  banner: { js: "import { createRequire as __firebreakRequire } from 'node:module'; const require = __firebreakRequire(import.meta.url);" },
});
const commonJs = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  logLevel: "warning",
  define: { ...define, "import.meta.url": "__firebreakUrl" },
  banner: { js: "const __firebreakUrl = require('node:url').pathToFileURL(__filename).href;" },
};
const nativeParser = bundledNativeParser(path.join(dist, "cli"));
await build({
  ...commonJs,
  entryPoints: [path.join(dist, "src/cli/frequent-main.js")],
  outfile: path.join(dist, "cli", "frequent.cjs"),
  external: nativeParser ? external.filter((name) => !name.startsWith("tree-sitter")) : external,
  plugins: [nativeParser, zodEnglishOnly, builtinImportsAsRequire, lazyBuiltins, lazyPackages].filter(Boolean),
});
// An import, so that zod's ES module build is what is bundled (as the full CLI's chunks have it).
await build({ ...commonJs, stdin: { contents: 'export { z } from "zod";', resolveDir: root, loader: "js" }, outfile: path.join(dist, "cli", ZOD_FILE), plugins: [zodEnglishOnly] });
asciiOnly(path.join(dist, "cli", ZOD_FILE));
assertNoDynamicImport(path.join(dist, "cli", "frequent.cjs"));
prototypeModuleViews(path.join(dist, "cli", "frequent.cjs"));
asciiOnly(path.join(dist, "cli", "frequent.cjs"));
writeCodeCache();
// The client is required by the bin (no vm.Script, no code cache: it is small), and needs no import.meta.url.
const clientFile = path.join(dist, "client.cjs");
await build({ ...commonJs, banner: {}, entryPoints: [path.join(dist, "src/client/main.js")], outfile: clientFile, plugins: [lazyBuiltins] });
if (fs.readFileSync(clientFile, "utf8").includes("__firebreakUrl")) throw new Error("bundle: dist/client.cjs uses import.meta.url: give it the banner that defines it");
prototypeModuleViews(clientFile);
asciiOnly(clientFile);

/**
 * Runs `firebreak run hello-world` once through bin/firebreak.js with FIREBREAK_BUILD_CODE_CACHE=1, in a throwaway
 * home: the bin writes the code V8 compiled on the way (the functions a run uses, not only the top level) beside the
 * bundle. Without it (a failure here, another Node), the bundle is compiled as any script: slower, same behaviour.
 */
function writeCodeCache() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "firebreak-code-cache-"));
  try {
    const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, "config"), XDG_STATE_HOME: path.join(home, "state"), XDG_RUNTIME_DIR: home, FIREBREAK_DAEMON: "off" };
    const run = (extra) => spawnSync(process.execPath, [path.join(root, "bin", "firebreak.js"), "run", "hello-world", "--name", "cache", "--greeting", "hi"], { cwd: home, env: { ...env, ...extra }, encoding: "utf8" });
    // The first run fills the caches a call meets on every later run (the validated configuration, the parsed
    // definitions, the knowledge graph); the second, recorded, compiles what such a call runs, not the validation
    // a cache spares it. Less code in the cache is less for V8 to deserialise on every call.
    let r = run({});
    if (r.status === 0) r = run({ FIREBREAK_BUILD_CODE_CACHE: "1" });
    if (r.status !== 0) {
      fs.rmSync(path.join(dist, "cli", "frequent.cjs.v8cache"), { force: true });
      console.warn(`bundle: no code cache for dist/cli/frequent.cjs (the warm-up run exited ${r.status}): ${r.stderr}`);
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
