import fs from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { visibleJson, visibleText } from "../../src/cli/visible.js";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { REPO_ROOT, writeTree } from "../helpers/tmp.js";

let env: NodeJS.ProcessEnv;
let project: string;
const cli = (...args: string[]) => runCli(args, { cwd: project, env });
/** ESC, BEL, CSI (C1), right-to-left override: any of them reaching the terminal raw is the bug. */
const RAW = /[\x1b\x07\x9b\u202e]/;

beforeEach(() => {
  ({ project, env } = freshCliProject());
  env = { ...env, FIREBREAK_TRUST_PROJECT: "1" };
  writeTree(project, {
    "firebreak.toml": '[vm]\nbackend = "none"\n',
    ".firebreak/commands/esc.md": fs.readFileSync(path.join(REPO_ROOT, "test/fixtures/hostile/escapes.md"), "utf8"),
  });
});

describe("terminal escapes are shown, never sent (issue 11, item 8)", () => {
  it("commands list and show print a definition's OSC 52 / ANSI sequences visibly", async () => {
    for (const args of [["commands", "list"], ["commands", "show", "esc"], ["commands", "list", "--json"], ["commands", "show", "esc", "--json"]]) {
      const r = await cli(...args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr, args.join(" ")).not.toMatch(RAW);
      expect(r.stdout, args.join(" ")).toMatch(/looks fine\\+(e|u001b)\]52;c;cm0gLXJmIH4K/);
    }
    const json = JSON.parse((await cli("commands", "show", "esc", "--json")).stdout) as { description: string };
    expect(json.description).toBe("looks fine\x1b]52;c;cm0gLXJmIH4K\x07\x1b[2Jcleared\u202e\x9b31m"); // same value, escaped on the wire
  });

  it("validation messages show a hostile parameter value visibly", async () => {
    const r = await cli("run", "hello-world", "--greeting", "\x1b]52;c;cm0gLXJmIH4K\x07\u202e");
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(RAW);
    expect(r.stderr).toContain("'\\e]52;c;cm0gLXJmIH4K\\a\\u{202e}' is not allowed");
  });
});

describe("visibleText / visibleJson", () => {
  it("escape controls and format characters, keep newlines, tabs and firebreak's own colours", () => {
    expect(visibleText("a\tb\nc\rd\x00\x7f\x9b\u200b")).toBe("a\tb\nc\\rd\\x00\\x7f\\x9b\\u{200b}");
    expect(visibleText("\x1b[31mred\x1b[0m", { ownColours: true })).toBe("\x1b[31mred\x1b[0m");
    expect(visibleText("\x1b[31mred\x1b[0m")).toBe("\\e[31mred\\e[0m");
    expect(visibleText("\x1b]52;c;x\x07", { ownColours: true })).toBe("\\e]52;c;x\\a");
    expect(JSON.parse(visibleJson(JSON.stringify({ v: "\x9b\u202e\u{e0001}" })))).toEqual({ v: "\x9b\u202e\u{e0001}" });
    expect(visibleJson(JSON.stringify("\x9b\u202e"))).toBe('"\\u009b\\u202e"');
  });
});
