import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bindArguments } from "../../src/commands/args.js";
import { parseDefinition } from "../../src/commands/parse.js";
import type { CommandDefinition } from "../../src/commands/types.js";
import { ArgumentError } from "../../src/errors.js";
import { SEED_COMMANDS } from "../helpers/tmp.js";

const seed = (name: string): CommandDefinition => {
  const out = parseDefinition(fs.readFileSync(path.join(SEED_COMMANDS, `${name}.md`), "utf8"), { file: name });
  if (out.kind !== "definition") throw new Error("not a definition");
  return out.definition;
};
const custom = (yaml: string): CommandDefinition => {
  const out = parseDefinition(`---\nname: c\ndescription: d\n${yaml}---\n`, { file: "c.md" });
  if (out.kind !== "definition") throw new Error("not a definition");
  return out.definition;
};
const argError = (def: CommandDefinition, tokens: string[]): ArgumentError => {
  try {
    bindArguments(def, tokens);
  } catch (e) {
    if (e instanceof ArgumentError) return e;
    throw e;
  }
  throw new Error("expected ArgumentError");
};

describe("bindArguments", () => {
  const deploy = seed("deploy");
  const hello = seed("hello-world");

  it("binds positionals in declared order and boolean flags as real booleans", () => {
    expect(bindArguments(deploy, ["staging", "--dry-run"]).values).toEqual({ environment: "staging", dry_run: true, force: false });
    expect(bindArguments(deploy, ["--environment=demo", "--no-force"]).values).toMatchObject({ environment: "demo", force: false });
    expect(bindArguments(deploy, ["environment=production", "dry_run=true"]).values).toMatchObject({ environment: "production", dry_run: true });
    expect(bindArguments(deploy, ["--environment", "staging", "--force=false"]).values.force).toBe(false);
  });

  it("applies defaults and records what was given", () => {
    const bound = bindArguments(hello, ["Ada"]);
    expect(bound.values).toEqual({ name: "Ada", greeting: "hello" });
    expect(bound.given).toEqual(["name"]);
  });

  it("names the allowed values and shows usage for a bad value", () => {
    const e = argError(hello, ["--greeting", "yo"]);
    expect(e.message).toContain("'yo' is not allowed; allowed values: hello, hi, hey, greetings");
    expect(e.usage).toBe("hello-world [name] [--greeting]");
    expect(e.parameter).toBe("greeting");
  });

  it("reports missing required parameters with their allowed values", () => {
    expect(argError(deploy, []).message).toContain("missing required parameter 'environment' (one of: staging, production, demo)");
  });

  it("rejects unknown options, extra positionals, duplicates and missing option values", () => {
    expect(argError(hello, ["--colour", "red"]).message).toContain("unknown option --colour; parameters: --name, --greeting");
    expect(argError(hello, ["a", "hi", "c"]).message).toContain("unexpected argument: 'c'");
    expect(argError(hello, ["--name", "a", "--name", "b"]).message).toContain("given more than once");
    expect(argError(hello, ["--name"]).message).toContain("--name needs a value");
    expect(argError(deploy, ["staging", "--force=maybe"]).message).toContain("expected true or false");
  });

  it("treats everything after -- as positional, even option-like values", () => {
    expect(bindArguments(hello, ["--", "--greeting"]).values.name).toBe("--greeting");
  });

  it("coerces and range-checks numbers, collects arrays, checks patterns", () => {
    const def = custom(
      "parameters:\n  - name: n\n    type: number\n    min: 1\n    max: 5\n  - name: tag\n    type: string\n    pattern: '^[a-z]+$'\n  - name: files\n    type: array\n",
    );
    expect(bindArguments(def, ["3", "abc", "x", "y"]).values).toEqual({ n: 3, tag: "abc", files: ["x", "y"] });
    expect(bindArguments(def, ["--files", "a", "--files", "b"]).values.files).toEqual(["a", "b"]);
    expect(argError(def, ["9"]).message).toContain("must be at most 5");
    expect(argError(def, ["x"]).message).toContain("expected a number");
    expect(argError(def, ["2", "ABC"]).message).toContain("does not match pattern");
  });

  it("refuses values with NUL bytes", () => {
    expect(argError(hello, ["a\0b"]).message).toContain("NUL");
  });
});
