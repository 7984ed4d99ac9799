import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_DEFINITION_BYTES, parseDefinition } from "../../src/commands/parse.js";
import { CommandRegistry } from "../../src/commands/registry.js";
import { tempDir } from "../helpers/tmp.js";

/** A valid definition padded with `count` unknown top-level keys (the denial-of-service shape of issue 11, item 7). */
function paddedDefinition(count: number): string {
  const keys = Array.from({ length: count }, (_, i) => `unknown_key_${i}: value ${i}`).join("\n");
  return `---\nname: padded\ndescription: d\n${keys}\ncommand: echo hi\n---\n`;
}

function timed(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

describe("definition size and validation cost (issue 11, item 7)", () => {
  it("validates a definition just under the cap in linear time (unknown-key warnings and duplicate-key checks)", () => {
    let count = 1000;
    while (paddedDefinition(count * 2).length < MAX_DEFINITION_BYTES) count *= 2;
    const text = paddedDefinition(count);
    expect(text.length).toBeGreaterThan(MAX_DEFINITION_BYTES / 2);
    const fastest = (t: string) => Math.min(...[1, 2, 3].map(() => timed(() => parseDefinition(t, { file: "padded.md" }))));
    fastest(paddedDefinition(count / 4)); // warm up the JIT so both sizes are measured alike
    const quarter = fastest(paddedDefinition(count / 4));
    const full = fastest(text);
    // Linear: 4x the keys cost ~4x (quadratic lookups cost ~16x, and ~15 s for a 309 KB file).
    expect(full / quarter).toBeLessThan(8);
    expect(full).toBeLessThan(5000);
    const out = parseDefinition(text, { file: "padded.md" });
    expect(out.kind).toBe("definition");
    if (out.kind !== "definition") return;
    expect(out.warnings).toHaveLength(21);
    expect(out.warnings[0]).toMatchObject({ line: 4, message: expect.stringMatching(/^unknown key 'unknown_key_0'/) });
    expect(out.warnings.at(-1)?.message).toBe(`${count - 20} more unknown keys not listed`);
  });

  it("refuses a definition over the cap with a clear error, without reading it, and loads the rest", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "huge.md"), paddedDefinition(40_000));
    fs.writeFileSync(path.join(dir, "ok.md"), "---\nname: ok\ndescription: d\ncommand: echo ok\n---\n");
    const registry = new CommandRegistry([{ layer: "project", dir }]);
    const report = registry.loadAll();
    expect(report.definitions.map((d) => d.name)).toEqual(["ok"]);
    expect(report.errors.map((e) => e.message)).toEqual([expect.stringMatching(/huge\.md: definition is \d+ KiB, larger than the 256 KiB a command definition may be/)]);
    expect(() => parseDefinition(paddedDefinition(40_000), { file: "x.md" })).toThrow(/larger than the 256 KiB/);
  });
});

describe("duplicate keys (checked in one pass since YAML's own check is quadratic)", () => {
  it("are still refused, naming the key and its line", () => {
    expect(() => parseDefinition("---\nname: a\ndescription: d\nname: b\n---\n", { file: "dup.md" })).toThrow(/dup\.md:4: invalid YAML: map keys must be unique \('name' is given twice\)/);
    expect(() => parseDefinition("---\nname: a\ndescription: d\nparameters:\n  - name: x\n    type: string\n    type: number\n---\n", { file: "dup.md" })).toThrow(/dup\.md:7: .*'type' is given twice/);
  });
});
