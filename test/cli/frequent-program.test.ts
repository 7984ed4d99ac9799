/**
 * `run`, `sh`, `commands`, `audit`, `policy` and `claude` run in-process from their own bundle (the frequent program,
 * precompiled). They must be the same commands as in the full CLI, bin/firebreak.js must send exactly those there,
 * and a code cache V8 cannot use must cost speed only.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import type { CliDeps } from "../../src/cli/deps.js";
import { createFrequentProgram } from "../../src/cli/frequent-program.js";
import { createProgram } from "../../src/cli/program.js";
import { freshCliProject } from "../helpers/cli.js";
import { REPO_ROOT, removeAfterFile, tempDir, writeTree } from "../helpers/tmp.js";

const deps = {
  output: { out: () => {}, err: () => {}, json: () => {} },
  cwd: REPO_ROOT,
  env: {},
  isTTY: false,
  signal: new AbortController().signal,
  setExitStatus: () => {},
  context: async () => {
    throw new Error("not used");
  },
} as unknown as CliDeps;

/** Every command under `cmd` with its help text, which shows its options, arguments and sub-commands. */
function helpTree(cmd: Command, prefix = ""): Record<string, string> {
  const name = `${prefix}${cmd.name()}`;
  return Object.assign({ [name]: cmd.helpInformation() }, ...cmd.commands.map((c) => helpTree(c, `${name} `)));
}

/**
 * Runs `firebreak <args>` in-process (no daemon) in a fresh project with `observer` preloaded: CommonJS that sets
 * `globalThis.__observed` to a function whose result, at exit, is returned here as `seen`.
 */
function runObserved<T>(observer: string, args: string[], input = "", where = freshCliProject()): { stdout: string; seen: T } {
  const dir = tempDir("fb-observe-");
  const preload = path.join(dir, "observer.cjs");
  const report = path.join(dir, "seen.json");
  fs.writeFileSync(preload, `${observer}\nprocess.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(report)}, JSON.stringify(globalThis.__observed())));`);
  const { project, env } = where;
  const r = spawnSync(process.execPath, ["-r", preload, path.join(REPO_ROOT, "bin", "firebreak.js"), ...args], { cwd: project, env: { ...env, FIREBREAK_DAEMON: "off" }, input, encoding: "utf8" });
  expect(r.stderr).not.toMatch(/internal error|Error:/);
  return { stdout: r.stdout, seen: JSON.parse(fs.readFileSync(report, "utf8")) as T };
}

describe("the frequent program", () => {
  it("defines its sub-commands exactly as the full program does", () => {
    const full = createProgram(deps);
    const frequent = createFrequentProgram(deps);
    expect(frequent.helpInformation().split("Commands:")[0]).toBe(full.helpInformation().split("Commands:")[0]);
    for (const sub of frequent.commands) {
      const same = full.commands.find((c) => c.name() === sub.name());
      expect(same, sub.name()).toBeDefined();
      expect(helpTree(sub)).toEqual(helpTree(same!));
    }
  });

  it("built for the sub-command a call names, defines that one alone, exactly as the full program does", () => {
    const full = createProgram(deps);
    for (const name of ["run", "sh", "commands", "audit", "policy", "claude"]) {
      const frequent = createFrequentProgram(deps, name);
      expect(frequent.commands.map((c) => c.name())).toEqual([name]);
      expect(helpTree(frequent.commands[0]!)).toEqual(helpTree(full.commands.find((c) => c.name() === name)!));
    }
    // Anything else (bin/firebreak.js sends none) gets all six.
    expect(createFrequentProgram(deps, "--help").commands).toHaveLength(6);
  });

  it("is what bin/firebreak.js loads for exactly those sub-commands", () => {
    const bin = fs.readFileSync(path.join(REPO_ROOT, "bin/firebreak.js"), "utf8");
    const routed = JSON.parse(/const FREQUENT = new Set\((\[[^\]]*\])\)/.exec(bin)![1]!) as string[];
    expect([...routed].sort()).toEqual(createFrequentProgram(deps).commands.map((c) => c.name()).sort());
  });

  it("is ASCII, so that the bin reads it as a one-byte string", () => {
    // One character outside ASCII (esbuild keeps them in comments) makes V8 hold the whole source as UTF-16.
    for (const file of ["frequent.cjs", "zod.cjs"]) {
      const bundle = fs.readFileSync(path.join(REPO_ROOT, "dist", "cli", file));
      const outside = bundle.findIndex((byte) => byte > 0x7f);
      expect(outside === -1 ? "" : bundle.subarray(Math.max(0, outside - 60), outside + 20).toString("utf8"), file).toBe("");
    }
  });

  it("runs from the code cache the build made: V8 accepts it (same Node, same flags)", () => {
    // V8 rejects a cache made under other flags, silently: the call only gets slower.
    const observer = `const vm = require("node:vm"); const Script = vm.Script; const seen = [];
vm.Script = class extends Script { constructor(source, options) { super(source, options); seen.push({ file: options.filename, cached: options.cachedData !== undefined, rejected: this.cachedDataRejected }); } };
globalThis.__observed = () => seen;`;
    for (const args of [["policy", "check", "--", "git status"], ["run", "hello-world", "--name", "Ada", "--greeting", "hi"]]) {
      const { seen } = runObserved<{ file: string; cached: boolean; rejected: boolean }[]>(observer, args);
      expect(seen.map((s) => ({ ...s, file: path.relative(REPO_ROOT, s.file) }))).toEqual([{ file: "dist/cli/frequent.cjs", cached: true, rejected: false }]);
    }
  });

  it("runs the same from a code cache V8 rejects (another build's, garbage) and from a bundle that is not ASCII", () => {
    // A copy of bin/ and the bundle inside the repo, so the bundle still finds node_modules and the package root.
    const copy = removeAfterFile(fs.mkdtempSync(path.join(REPO_ROOT, ".test-code-cache-")));
    fs.cpSync(path.join(REPO_ROOT, "bin"), path.join(copy, "bin"), { recursive: true });
    fs.mkdirSync(path.join(copy, "dist", "cli"), { recursive: true });
    const bundle = path.join(copy, "dist", "cli", "frequent.cjs");
    fs.copyFileSync(path.join(REPO_ROOT, "dist", "cli", "zod.cjs"), path.join(copy, "dist", "cli", "zod.cjs"));
    fs.writeFileSync(bundle, `if ("Grüße".length !== 5) throw new Error("a UTF-8 bundle read as Latin-1");\n${fs.readFileSync(path.join(REPO_ROOT, "dist", "cli", "frequent.cjs"), "utf8")}`);
    const stat = fs.statSync(bundle);
    fs.writeFileSync(`${bundle}.v8cache`, Buffer.concat([Buffer.from(`firebreak-code-cache ${stat.size} ${stat.mtimeMs}\n`, "latin1"), Buffer.alloc(4096, 0x5a)]));
    const { project, env } = freshCliProject();
    const r = spawnSync(process.execPath, [path.join(copy, "bin", "firebreak.js"), "policy", "check", "--json", "--", "rm -rf ~"], { cwd: project, env: { ...env, FIREBREAK_DAEMON: "off" }, encoding: "utf8" });
    expect(r.stderr).not.toMatch(/internal error|Error:/);
    expect(r.status).toBe(77);
    expect(JSON.parse(r.stdout)).toMatchObject({ line: "rm -rf ~", placement: "denied", risk: "critical" });
  });

  it("builds its schemas without zod's JIT: a one-shot process generates no code at run time", () => {
    // zod fixes JIT or not when a schema is built; a z.config() that runs after the schema modules is too late.
    const observer = `const made = [];
globalThis.Function = new Proxy(Function, { construct(target, args) { made.push(String(args.at(-1)).slice(0, 80)); return Reflect.construct(target, args); } });
globalThis.__observed = () => made;`;
    const { stdout, seen } = runObserved<string[]>(observer, ["policy", "check", "--json", "--", "git status"]);
    expect(JSON.parse(stdout)).toMatchObject({ line: "git status", placement: "local" });
    expect(seen).toEqual([]);
  });

  it("loads zod only to validate a configuration or definition the caches do not have yet", () => {
    // zod creates this global when it loads; the bundle loads zod on first use (scripts/bundle.mjs lazyPackages).
    const observer = "globalThis.__observed = () => globalThis.__zod_globalRegistry !== undefined;";
    const event = JSON.stringify({ hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "git status" } });
    const where = freshCliProject();
    const hook = () => {
      const { stdout, seen } = runObserved<boolean>(observer, ["claude", "hook"], event, where);
      return { decision: JSON.parse(stdout).hookSpecificOutput.permissionDecision as string, zodLoaded: seen };
    };
    expect(hook()).toEqual({ decision: "allow", zodLoaded: true });
    expect(hook()).toEqual({ decision: "allow", zodLoaded: false });
    // A changed configuration is another input: validated again, and obeyed.
    writeTree(where.env.XDG_CONFIG_HOME!, { "firebreak/config.toml": '[[policy.rules]]\naction = "deny"\npattern = "git status"\nreason = "not today"\n' });
    expect(hook()).toEqual({ decision: "deny", zodLoaded: true });
    expect(hook()).toEqual({ decision: "deny", zodLoaded: false });
    // A run too, once its definitions and knowledge graph come from their caches.
    const run = () => runObserved<boolean>(observer, ["run", "hello-world", "--name", "Ada", "--greeting", "hi"], "", where);
    expect(run()).toEqual({ stdout: "hi, Ada!\n", seen: true });
    expect(run()).toEqual({ stdout: "hi, Ada!\n", seen: false });
  });

  it("loads Node's child_process and tty only in a call that uses them", () => {
    // The bundle's modules import them at their top; the bundle loads each on its first use (scripts/bundle.mjs).
    const observer = "globalThis.__observed = () => process.moduleLoadList;";
    const event = JSON.stringify({ hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "git status" } });
    const hook = runObserved<string[]>(observer, ["claude", "hook"], event);
    expect(JSON.parse(hook.stdout).hookSpecificOutput.permissionDecision).toBe("allow");
    expect(hook.seen).not.toContain("NativeModule child_process");
    expect(hook.seen).not.toContain("NativeModule tty");
    // A run that starts a process gets the real module.
    const run = runObserved<string[]>(observer, ["run", "hello-world", "--name", "Ada", "--greeting", "hi"]);
    expect(run.stdout).toBe("hi, Ada!\n");
    expect(run.seen).toContain("NativeModule child_process");
  });

  it("takes the native shell parser's JavaScript from the bundle and loads its bindings from the packages", () => {
    const observer = `const dlopen = process.dlopen; const bindings = [];
process.dlopen = function (module, file, ...rest) { bindings.push(file); return dlopen.call(this, module, file, ...rest); };
globalThis.__observed = () => ({ bindings, modules: Object.keys(require.cache) });`;
    const { stdout, seen } = runObserved<{ bindings: string[]; modules: string[] }>(observer, ["policy", "check", "--json", "--", "rm -rf ~"]);
    expect(JSON.parse(stdout)).toMatchObject({ placement: "denied", risk: "critical" });
    expect(seen.bindings.map((f) => path.relative(REPO_ROOT, f).split(path.sep).slice(0, 2).join("/")).sort()).toEqual(["node_modules/tree-sitter", "node_modules/tree-sitter-bash"]);
    expect(seen.modules.filter((m) => m.includes(`${path.sep}node_modules${path.sep}`) && m.endsWith(".js"))).toEqual([]);
  });
});
