import { describe, expect, it } from "vitest";
import { applySuggestion, type CommandInfo, CommandIndex, complete, type CompletionSource } from "../../src/tui/complete.js";
import { fuzzyScore } from "../../src/tui/fuzzy.js";
import { parsePromptLine, splitWords } from "../../src/tui/line.js";

const hello: CommandInfo = {
  name: "hello-world",
  aliases: ["hello", "hi"],
  description: "Simple hello world",
  risk_level: "low",
  execution_mode: "local",
  runnable: true,
  parameters: [
    { name: "name", type: "string", secret: false, required: false },
    { name: "greeting", type: "string", allowed_values: ["hello", "hi", "hey", "greetings"], secret: false, required: false },
    { name: "loud", type: "boolean", secret: false, required: false },
    { name: "api_token", type: "string", secret: true, required: false },
  ],
};
const others: CommandInfo[] = ["backup", "deploy", "search", "security-audit", "shell-helper"].map((name) => ({ name, aliases: [], description: `${name} cmd`, risk_level: "low", execution_mode: "local", runnable: true, parameters: [] }));
const terms = [
  { term: "deploy", concept: "deployment" },
  { term: "deployment", concept: "deployment" },
];
const source: CompletionSource = {
  index: new CommandIndex([hello, ...others]),
  roles: ["developer", "ops", "viewer"],
  terms: (prefix, limit) => terms.filter((t) => t.term.startsWith(prefix)).slice(0, limit),
};
const at = (line: string) => complete(line, line.length, source);
const inserts = (line: string) => at(line).items.map((i) => i.insert);

describe("fuzzy matching", () => {
  it("ranks a prefix over a substring over a subsequence, and needs a word start for the first character", () => {
    expect(fuzzyScore("hel", "hello-world")).toBeGreaterThan(fuzzyScore("hel", "shell-helper"));
    expect(fuzzyScore("hw", "hello-world")).toBeGreaterThan(0);
    expect(fuzzyScore("el", "shell")).toBeGreaterThan(0); // substring
    expect(fuzzyScore("ex", "hello-world")).toBe(-1);
    expect(fuzzyScore("hel", "backup")).toBe(-1);
  });
});

describe("complete", () => {
  it("completes `hel` to hello-world (the name, even when an alias matched) and shows the description", () => {
    const c = at("hel");
    expect(c.items[0]).toMatchObject({ insert: "hello-world", detail: "Simple hello world", kind: "command" });
    expect(c.items.map((i) => i.insert)).not.toContain("backup");
    expect(applySuggestion("hel", c, c.items[0]!)).toEqual({ line: "hello-world ", cursor: 12 });
  });

  it("an alias typed in full ranks its command first and is labelled as the alias", () => {
    expect(at("hi").items[0]).toMatchObject({ insert: "hello-world", label: "hello-world (alias hi)" });
  });

  it("after the name: --parameters (not the ones given), booleans with --no-, allowed values after the option", () => {
    expect(inserts("hello-world --")).toEqual(["--name", "--greeting", "--loud", "--api-token"]);
    expect(inserts("hello-world --name Ada --")).not.toContain("--name");
    expect(inserts("hello-world --no")).toContain("--no-loud");
    expect(inserts("hello-world --greeting h")).toEqual(["hi", "hey", "hello"]); // prefixes, shortest first
    expect(inserts("hello-world --greeting=gr")).toEqual(["--greeting=greetings"]);
  });

  it("suggests nothing for a secret parameter's value, and knowledge-graph terms for free text", () => {
    expect(inserts("hello-world --api-token de")).toEqual([]);
    expect(at("hello-world --name dep").items[0]).toMatchObject({ insert: "deploy", kind: "term", detail: "concept deployment" });
    expect(inserts("!kubectl dep")).toEqual(["deploy", "deployment"]);
  });

  it("slash commands, their sub-commands, roles, and /plan completes the line inside it", () => {
    expect(inserts("/pl")[0]).toBe("/plan");
    expect(inserts("/commands s")).toEqual(["stats", "search", "suggest", "list"]);
    expect(inserts("/role o")[0]).toBe("ops");
    expect(inserts("/plan hel")[0]).toBe("hello-world");
    expect(inserts("/plan hello-world --gr")).toEqual(["--greeting"]);
  });

  it("completes the word under the cursor, keeping what follows", () => {
    const line = "hel --name Ada";
    const c = complete(line, 3, source);
    expect(applySuggestion(line, c, c.items[0]!)).toEqual({ line: "hello-world --name Ada", cursor: 11 });
  });
});

describe("prompt lines", () => {
  it("splits words like a shell (quotes, escapes) and tells slash, shell and command lines apart", () => {
    expect(splitWords(`a "b c" 'd e' f\\ g`).map((w) => w.value)).toEqual(["a", "b c", "d e", "f g"]);
    expect(parsePromptLine("/plan rm -rf ~")).toMatchObject({ kind: "slash", name: "plan", rest: "rm -rf ~" });
    expect(parsePromptLine("!git status")).toEqual({ kind: "shell", line: "git status" });
    expect(parsePromptLine(`hello-world --name "Ada L"`)).toEqual({ kind: "command", name: "hello-world", args: ["--name", "Ada L"] });
  });
});
