import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HOOK_COMMAND, HOOK_MATCHER, installHookSettings, settingsFile } from "../../src/claude/settings.js";
import { ConfigError } from "../../src/errors.js";
import { tempDir } from "../helpers/tmp.js";

const theirs = { permissions: { allow: ["Bash(npm test)"] }, hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "other-tool check" }] }] } };

describe("firebreak claude install (settings.json merge)", () => {
  it("installing twice gives one entry per event, keeps the user's own settings and the previous file", () => {
    const file = path.join(tempDir("fb-claude-"), ".claude/settings.json");
    fs.mkdirSync(path.dirname(file));
    const original = `${JSON.stringify(theirs, null, 2)}\n`;
    fs.writeFileSync(file, original);
    expect(installHookSettings(file, HOOK_COMMAND)).toEqual({ changed: true, backup: `${file}.bak` });
    expect(installHookSettings(file, HOOK_COMMAND)).toEqual({ changed: false });
    const settings = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(settings.permissions).toEqual(theirs.permissions);
    expect(settings.hooks.PreToolUse).toEqual([theirs.hooks.PreToolUse[0], { matcher: HOOK_MATCHER, hooks: [{ type: "command", command: HOOK_COMMAND }] }]);
    expect(settings.hooks.PostToolUse).toEqual([{ matcher: HOOK_MATCHER, hooks: [{ type: "command", command: HOOK_COMMAND }] }]);
    expect(fs.readFileSync(`${file}.bak`, "utf8")).toBe(original);
    // Reinstalling with --vm replaces firebreak's entry instead of adding a second one.
    installHookSettings(file, `${HOOK_COMMAND} --vm`);
    const again = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(again.hooks.PreToolUse.map((g: { hooks: { command: string }[] }) => g.hooks[0]!.command)).toEqual(["other-tool check", `${HOOK_COMMAND} --vm`]);
  });

  it("creates the file when there is none, and refuses to overwrite one it cannot read (naming the field)", () => {
    const dir = tempDir("fb-claude-");
    const file = path.join(dir, "new/settings.json");
    expect(installHookSettings(file, HOOK_COMMAND)).toEqual({ changed: true, backup: undefined });
    fs.writeFileSync(file, "{ not json");
    expect(() => installHookSettings(file, HOOK_COMMAND)).toThrow(/not JSON/);
    expect(fs.readFileSync(file, "utf8")).toBe("{ not json");
    fs.writeFileSync(file, JSON.stringify({ hooks: { PreToolUse: {} } }));
    expect(() => installHookSettings(file, HOOK_COMMAND)).toThrow(ConfigError);
    expect(() => installHookSettings(file, HOOK_COMMAND)).toThrow(/field 'hooks.PreToolUse'/);
  });

  it("--project is the project's .claude/settings.json, --user the user's (or $CLAUDE_CONFIG_DIR)", () => {
    expect(settingsFile("project", "/p", {})).toBe("/p/.claude/settings.json");
    expect(settingsFile("user", "/p", { HOME: "/h" })).toBe("/h/.claude/settings.json");
    expect(settingsFile("user", "/p", { HOME: "/h", CLAUDE_CONFIG_DIR: "/c" })).toBe("/c/settings.json");
  });
});
