import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CommandRegistry } from "../../src/commands/registry.js";
import { type RegistryWatcher, watchRegistry } from "../../src/commands/watch.js";
import { definition, tempDir, writeTree } from "../helpers/tmp.js";

describe("CommandRegistry", () => {
  it("applies precedence project > user > bundled, with namespaces and aliases", () => {
    const root = tempDir();
    writeTree(root, {
      "bundled/greet.md": definition("greet", "aliases: [hi]\n", "echo bundled"),
      "bundled/db/migrate.md": definition("migrate", "", "echo migrate"),
      "user/greet.md": definition("greet", "", "echo user"),
      "project/greet.md": definition("greet", "", "echo project"),
      "project/tools/fmt.md": definition("fmt", "aliases: [format]\n", "echo fmt"),
    });
    const r = new CommandRegistry([
      { layer: "bundled", dir: path.join(root, "bundled") },
      { layer: "user", dir: path.join(root, "user") },
      { layer: "project", dir: path.join(root, "project") },
    ]);
    const report = r.loadAll();
    expect(report.errors).toEqual([]);
    expect(r.resolve("greet")?.command).toBe("echo project");
    expect(r.resolve("greet")?.source.layer).toBe("project");
    // The overridden bundled definition is not reachable through its alias either.
    expect(r.resolve("hi")).toBeUndefined();
    expect(r.resolve("db:migrate")?.name).toBe("migrate");
    expect(r.resolve("tools:format")?.qualifiedName).toBe("tools:fmt");
    expect(r.list().map((d) => d.qualifiedName)).toEqual(["db:migrate", "greet", "tools:fmt"]);
  });

  it("reads the definitions on first use (resolve, list or the report), not when it is made", () => {
    for (const first of ["resolve", "list", "current"] as const) {
      const root = tempDir();
      writeTree(root, { "a.md": definition("a", "", "echo a") });
      const r = new CommandRegistry([{ layer: "project", dir: root }]);
      writeTree(root, { "b.md": definition("b", "", "echo b") }); // after it was made: still seen
      if (first === "resolve") expect(r.resolve("b")?.command).toBe("echo b");
      if (first === "current") expect(r.current.definitions.map((d) => d.name)).toEqual(["a", "b"]);
      expect(r.list().map((d) => d.name)).toEqual(["a", "b"]);
      writeTree(root, { "c.md": definition("c") }); // after the first use: only a reload sees it
      expect(r.resolve("c")).toBeUndefined();
      expect(r.reloadFile(path.join(root, "c.md")).definitions.map((d) => d.name)).toEqual(["a", "b", "c"]);
    }
  });

  it("reports a name or alias defined twice in one layer, deterministically", () => {
    const root = tempDir();
    writeTree(root, {
      "a.md": definition("dup", "", "echo a"),
      "b.md": definition("dup", "", "echo b"),
      "c.md": definition("other", "aliases: [dup2]\n"),
      "d.md": definition("dup2"),
    });
    const r = new CommandRegistry([{ layer: "project", dir: root }]);
    const { conflicts } = r.loadAll();
    expect(conflicts.map((c) => [c.key, path.basename(c.winner), path.basename(c.loser)])).toEqual([
      ["dup", "a.md", "b.md"],
      ["dup2", "c.md", "d.md"],
    ]);
    expect(r.resolve("dup")?.command).toBe("echo a");
  });

  it("reports broken files and still loads the others; README-like files are notices", () => {
    const root = tempDir();
    writeTree(root, { "good.md": definition("good"), "bad.md": "---\nname: bad\n---\n", "README.md": "# Commands\n" });
    const r = new CommandRegistry([{ layer: "project", dir: root }]);
    const report = r.loadAll();
    expect(report.definitions.map((d) => d.name)).toEqual(["good"]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]!.message).toContain("bad.md:2: field 'description'");
    expect(report.notices[0]).toContain("README.md");
  });

  it("keeps the last good version of a file that turns bad", () => {
    const root = tempDir();
    writeTree(root, { "x.md": definition("x", "", "echo v1") });
    const r = new CommandRegistry([{ layer: "project", dir: root }]);
    r.loadAll();
    fs.writeFileSync(path.join(root, "x.md"), "---\nname: x\nrisk_level: nope\n---\n");
    const report = r.reloadFile(path.join(root, "x.md"));
    expect(report.errors).toHaveLength(1);
    expect(report.stale).toEqual([path.join(root, "x.md")]);
    expect(r.resolve("x")?.command).toBe("echo v1");
    fs.writeFileSync(path.join(root, "x.md"), definition("x", "", "echo v2"));
    expect(r.reloadFile(path.join(root, "x.md")).errors).toEqual([]);
    expect(r.resolve("x")?.command).toBe("echo v2");
    fs.rmSync(path.join(root, "x.md"));
    r.reloadFile(path.join(root, "x.md"));
    expect(r.resolve("x")).toBeUndefined();
  });
});

describe("watchRegistry (hot reload)", () => {
  let watcher: RegistryWatcher | undefined;
  afterEach(async () => watcher?.close());

  it("loads definitions written right after their new folder was created (namespaces made on the fly)", async () => {
    const root = tempDir();
    const r = new CommandRegistry([{ layer: "project", dir: root }]);
    r.loadAll();
    watcher = watchRegistry(r, () => {});
    await watcher.ready;
    for (let i = 0; i < 5; i++) {
      fs.mkdirSync(path.join(root, `ns${i}`, "deep"), { recursive: true });
      fs.writeFileSync(path.join(root, `ns${i}`, "deep", "go.md"), definition("go", "", `echo ${i}`));
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && [0, 1, 2, 3, 4].some((i) => !r.resolve(`ns${i}:deep:go`))) await new Promise((res) => setTimeout(res, 50));
    for (let i = 0; i < 5; i++) expect(r.resolve(`ns${i}:deep:go`)?.command).toBe(`echo ${i}`);
  });

  it("picks up added, changed, broken and removed files", async () => {
    const root = tempDir();
    writeTree(root, { "x.md": definition("x", "", "echo v1") });
    const r = new CommandRegistry([{ layer: "project", dir: root }]);
    r.loadAll();
    const reloads: string[] = [];
    let wake: (() => void) | undefined;
    watcher = watchRegistry(r, (_report, file) => {
      reloads.push(path.basename(file));
      wake?.();
    });
    await watcher.ready;
    const next = () => new Promise<void>((resolve) => (wake = resolve));

    let p = next();
    fs.writeFileSync(path.join(root, "y.md"), definition("y", "", "echo y"));
    await p;
    expect(r.resolve("y")?.command).toBe("echo y");

    p = next();
    fs.writeFileSync(path.join(root, "x.md"), "---\nname: x\n---\n");
    await p;
    expect(r.current.errors).toHaveLength(1);
    expect(r.resolve("x")?.command).toBe("echo v1");

    p = next();
    fs.writeFileSync(path.join(root, "x.md"), definition("x", "", "echo v2"));
    await p;
    expect(r.resolve("x")?.command).toBe("echo v2");

    p = next();
    fs.rmSync(path.join(root, "y.md"));
    await p;
    expect(r.resolve("y")).toBeUndefined();
    expect(reloads).toEqual(["y.md", "x.md", "x.md", "y.md"]);
  });
});
