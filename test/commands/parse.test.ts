import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDefinition } from "../../src/commands/parse.js";
import { DefinitionError } from "../../src/errors.js";
import { SEED_COMMANDS } from "../helpers/tmp.js";

const parse = (text: string, file = "x.md") => parseDefinition(text, { file });
const def = (text: string) => {
  const out = parse(text);
  if (out.kind !== "definition") throw new Error("expected a definition");
  return out;
};
const error = (text: string): DefinitionError => {
  try {
    parse(text, "bad.md");
  } catch (e) {
    if (e instanceof DefinitionError) return e;
    throw e;
  }
  throw new Error("expected a DefinitionError");
};

describe("parseDefinition on the seed files", () => {
  const files = fs.readdirSync(SEED_COMMANDS).sort();

  it("loads all six seed definitions as they are, without warnings", () => {
    const defs = files.map((f) => parseDefinition(fs.readFileSync(path.join(SEED_COMMANDS, f), "utf8"), { file: f }));
    const loaded = defs.filter((d) => d.kind === "definition");
    expect(loaded.map((d) => d.kind === "definition" && d.definition.name).sort()).toEqual(["backup", "deploy", "hello-world", "search", "security-audit", "test"]);
    for (const d of loaded) if (d.kind === "definition") expect(d.warnings).toEqual([]);
  });

  it("skips README.md (no frontmatter) with a notice, not an error", () => {
    const out = parseDefinition(fs.readFileSync(path.join(SEED_COMMANDS, "README.md"), "utf8"), { file: "README.md" });
    expect(out.kind).toBe("skipped");
    if (out.kind === "skipped") expect(out.notice).toContain("no YAML frontmatter");
  });

  it("reads capitalised enums case-insensitively and hoists allowed_values into validation", () => {
    const text = fs.readFileSync(path.join(SEED_COMMANDS, "deploy.md"), "utf8");
    const { definition } = def(text);
    expect(definition.risk_level).toBe("high");
    expect(definition.execution_mode).toBe("firecracker");
    expect(definition.parameters[0]!.validation.allowed_values).toEqual(["staging", "production", "demo"]);
    expect(definition.resource_limits).toEqual({ max_memory_mb: 1024, max_cpu_time: 600, network_access: true });
    expect(definition.command).toBeUndefined();
    expect(definition.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("parseDefinition errors and warnings", () => {
  it("names file, line and field for a bad enum", () => {
    const e = error("---\nname: x\ndescription: d\nrisk_level: extreme\n---\n");
    expect(e.message).toBe("bad.md:4: field 'risk_level': must be one of: low, medium, high, critical");
    expect(e.location).toEqual({ file: "bad.md", line: 4, field: "risk_level" });
  });

  it("reports a missing required field", () => {
    expect(error("---\nname: x\n---\n").message).toContain("field 'description': is required");
  });

  it("rejects a required parameter with a default, pointing at the default", () => {
    const e = error("---\nname: x\ndescription: d\nparameters:\n  - name: a\n    required: true\n    default_value: 3\n---\n");
    expect(e.location.line).toBe(7);
    expect(e.message).toContain("a required parameter has no default");
  });

  it("rejects a default that violates its own allowed values", () => {
    const e = error("---\nname: x\ndescription: d\nparameters:\n  - name: a\n    allowed_values: [p, q]\n    default_value: z\n---\n");
    expect(e.message).toContain("'z' is not allowed");
  });

  it("rejects invalid names and parameter names", () => {
    expect(error("---\nname: 1x\ndescription: d\n---\n").message).toContain("field 'name'");
    expect(error("---\nname: x\ndescription: d\nparameters:\n  - name: has-dash\n---\n").message).toContain("parameters[0].name");
  });

  it("reports invalid YAML with its line", () => {
    const e = error("---\nname: x\ndescription: [unclosed\n---\n");
    expect(e.message).toMatch(/bad\.md:\d+: invalid YAML/);
  });

  it("reports an unterminated frontmatter", () => {
    expect(error("---\nname: x\n").message).toContain("never closed");
  });

  it("warns about unknown keys, naming the key, its line and the allowed ones", () => {
    const { warnings } = def("---\nname: x\ndescription: d\nrisk: high\nparameters:\n  - name: a\n    colour: red\n---\n");
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ line: 4 });
    expect(warnings[0]!.message).toContain("unknown key 'risk'; allowed: name, description");
    expect(warnings[1]!.message).toContain("unknown key 'colour' in parameter a");
  });

  it("refuses conflicting validation given twice", () => {
    const e = error("---\nname: x\ndescription: d\nparameters:\n  - name: a\n    min: 1\n    validation: { min: 2 }\n---\n");
    expect(e.message).toContain("'min' is given both");
  });

  it("rejects templates that use undeclared parameters or unsafe placeholder positions", () => {
    expect(error('---\nname: x\ndescription: d\ncommand: "echo {{b}}"\n---\n').message).toContain("{{b}}, which is not a declared parameter");
    const quoted = "---\nname: x\ndescription: d\ncommand: 'echo \"{{a}}\"'\nparameters:\n  - name: a\n    required: true\n---\n";
    expect(error(quoted).message).toContain("inside double quotes");
    const optional = "---\nname: x\ndescription: d\ncommand: 'echo {{a}}'\nparameters:\n  - name: a\n---\n";
    expect(error(optional).message).toContain("optional with no default");
  });

  it("qualifies names by folder namespace", () => {
    const out = parseDefinition("---\nname: migrate\ndescription: d\n---\n", { file: "db/migrate.md", folderNamespace: "db" });
    expect(out.kind === "definition" && out.definition.qualifiedName).toBe("db:migrate");
  });
});
