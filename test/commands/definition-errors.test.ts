import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDefinition } from "../../src/commands/parse.js";
import { CommandRegistry } from "../../src/commands/registry.js";
import { DefinitionError } from "../../src/errors.js";
import { definition, tempDir, writeTree } from "../helpers/tmp.js";

function parseError(text: string): DefinitionError {
  try {
    parseDefinition(text, { file: "x.md" });
  } catch (e) {
    if (e instanceof DefinitionError) return e;
    throw e;
  }
  throw new Error("expected a DefinitionError");
}

describe("definition errors say what is wrong", () => {
  it("a wrong-typed field: expected X, got Y (not 'is required')", () => {
    const timeout = parseError("---\nname: a\ndescription: d\ntimeout: soon\n---\n");
    expect(timeout.message).toBe("x.md:4: field 'timeout': expected number, got string \"soon\"");
    const params = parseError("---\nname: a\ndescription: d\nparameters: {x: 1}\n---\n");
    expect(params.message).toContain("field 'parameters': expected array, got mapping");
    const required = parseError("---\nname: a\n---\n");
    expect(required.message).toContain("field 'description': is required");
  });

  it("min greater than max is an error at the parameter", () => {
    const e = parseError("---\nname: a\ndescription: d\nparameters:\n  - name: n\n    type: number\n    min: 10\n    max: 1\n---\n");
    expect(e.message).toBe("x.md:7: field 'parameters[0].validation.min': min is greater than max: no value could pass");
  });
});

describe("definition files the registry reads", () => {
  it("loads a symlinked definition, and reports a dangling one instead of ignoring it", () => {
    const dir = tempDir();
    const elsewhere = tempDir();
    writeTree(elsewhere, { "real.md": definition("linked") });
    fs.symlinkSync(path.join(elsewhere, "real.md"), path.join(dir, "linked.md"));
    fs.symlinkSync(path.join(elsewhere, "gone.md"), path.join(dir, "dangling.md"));
    const report = new CommandRegistry([{ layer: "user", dir }]).loadAll();
    expect(report.definitions.map((d) => d.name)).toEqual(["linked"]);
    expect(report.errors.map((e) => e.message)).toEqual([expect.stringMatching(/dangling\.md: cannot read: ENOENT/)]);
  });

  it("reports invalid UTF-8 with its line instead of replacing the bytes", () => {
    const dir = tempDir();
    const bytes = Buffer.concat([Buffer.from("---\nname: a\ndescription: caf"), Buffer.from([0xe9]), Buffer.from("\n---\n")]);
    fs.writeFileSync(path.join(dir, "a.md"), bytes);
    const report = new CommandRegistry([{ layer: "user", dir }]).loadAll();
    expect(report.definitions).toEqual([]);
    expect(report.errors.map((e) => e.message)).toEqual([`${path.join(dir, "a.md")}:3: is not valid UTF-8`]);
  });
});

describe("min > max under validation", () => {
  it("points at the key's own line when written under validation", () => {
    const e = parseError("---\nname: a\ndescription: d\nparameters:\n  - name: n\n    type: number\n    validation:\n      max: 1\n      min: 10\n---\n");
    expect(e.message).toMatch(/^x\.md:9: field 'parameters\[0\]\.validation\.min'/);
  });
});
