import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DefinitionCache } from "../../src/commands/parse-cache.js";
import { type ParseOptions, parseDefinition } from "../../src/commands/parse.js";
import { CommandRegistry } from "../../src/commands/registry.js";
import { renderTemplate } from "../../src/commands/template.js";
import { definition, tempDir, writeTree } from "../helpers/tmp.js";

/** A registry over `dir` with a fresh cache object on `cacheDir` (as a new process would have), counting real parses. */
function load(dir: string, cacheDir: string) {
  let parses = 0;
  const cache = new DefinitionCache(cacheDir, path.join(cacheDir, "..", "config", "cache.key"));
  const counting = (text: string, options: ParseOptions) => {
    parses++;
    return parseDefinition(text, options);
  };
  const original = cache.parse.bind(cache);
  cache.parse = (text, options) => original(text, options, counting);
  const registry = new CommandRegistry([{ layer: "project", dir }], { cache });
  const report = registry.loadAll();
  return { registry, report, parses: () => parses };
}

const GREET = definition("greet", "parameters:\n  - name: who\n    type: string\n    default_value: world\n", "echo hello {{who}}");

describe("parsed definitions kept between processes", () => {
  it("a second process reads the definition from the cache: equal, template compiled, nothing parsed", () => {
    const root = tempDir();
    writeTree(root, { "cmds/greet.md": GREET, "cmds/db/migrate.md": definition("migrate", "", "echo migrate") });
    const cacheDir = path.join(root, "cache");
    const first = load(path.join(root, "cmds"), cacheDir);
    expect(first.parses()).toBe(2);
    expect(fs.statSync(path.join(cacheDir, "definitions.json")).mode & 0o777).toBe(0o600);

    const second = load(path.join(root, "cmds"), cacheDir);
    expect(second.parses()).toBe(0);
    expect(second.report).toEqual(first.report);
    const def = second.registry.resolve("greet")!;
    expect(def).toEqual(first.registry.resolve("greet"));
    expect(renderTemplate(def.template!, { who: "Ada" })).toBe("echo hello Ada");
    expect(second.registry.resolve("db:migrate")?.qualifiedName).toBe("db:migrate");
  });

  it("changed bytes are parsed again: an edit is never hidden by an old entry", () => {
    const root = tempDir();
    writeTree(root, { "cmds/greet.md": GREET });
    const cacheDir = path.join(root, "cache");
    load(path.join(root, "cmds"), cacheDir);
    fs.writeFileSync(path.join(root, "cmds/greet.md"), GREET.replace("echo hello", "echo goodbye"));
    const again = load(path.join(root, "cmds"), cacheDir);
    expect(again.parses()).toBe(1);
    expect(again.registry.resolve("greet")?.command).toBe("echo goodbye {{who}}");
  });

  it("a broken file is not cached: its error is reported every time", () => {
    const root = tempDir();
    writeTree(root, { "cmds/bad.md": definition("bad", "risk_level: extreme\n", "echo x") });
    const cacheDir = path.join(root, "cache");
    expect(load(path.join(root, "cmds"), cacheDir).report.errors).toHaveLength(1);
    const again = load(path.join(root, "cmds"), cacheDir);
    expect(again.parses()).toBe(1);
    expect(again.report.errors[0]?.message).toMatch(/risk_level/);
  });

  it("a cache edited by someone who can write the state dir but not the config cannot plant what a command runs", () => {
    const root = tempDir();
    writeTree(root, { "cmds/greet.md": GREET });
    const cacheDir = path.join(root, "cache");
    load(path.join(root, "cmds"), cacheDir);
    const file = path.join(cacheDir, "definitions.json");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replaceAll("echo hello {{who}}", "rm -rf ~ {{who}}"));
    const again = load(path.join(root, "cmds"), cacheDir);
    expect(again.parses()).toBe(1);
    expect(again.registry.resolve("greet")?.command).toBe("echo hello {{who}}");
  });

  it("an unreadable or foreign cache file is ignored and replaced", () => {
    const root = tempDir();
    writeTree(root, { "cmds/greet.md": GREET, "cache/definitions.json": "{not json" });
    const cacheDir = path.join(root, "cache");
    const first = load(path.join(root, "cmds"), cacheDir);
    expect(first.parses()).toBe(1);
    expect(first.registry.resolve("greet")?.command).toBe("echo hello {{who}}");
    expect(load(path.join(root, "cmds"), cacheDir).parses()).toBe(0);
  });
});
