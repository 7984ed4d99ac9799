import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { forgetSecrets, redactSecrets } from "../../src/audit/redact.js";
import { type CommandInfo, CommandIndex } from "../../src/tui/complete.js";
import { HistoryBrowser } from "../../src/tui/editor.js";
import { HISTORY_FILE, History, MAX_HISTORY_ENTRIES, redactSecretArguments } from "../../src/tui/history.js";
import { tempDir } from "../helpers/tmp.js";

const login: CommandInfo = {
  name: "login",
  aliases: ["li"],
  description: "log in",
  risk_level: "low",
  execution_mode: "local",
  runnable: true,
  parameters: [
    { name: "user", type: "string", secret: false, required: false },
    { name: "verbose", type: "boolean", secret: false, required: false },
    { name: "api_token", type: "string", secret: true, required: false },
  ],
};
const index = new CommandIndex([login]);

describe("history never stores a secret value", () => {
  it.each([
    ["login --api-token s3cr3t-A", "login --api-token [redacted]"],
    ["login --api-token=s3cr3t-B --verbose", "login --api-token=[redacted] --verbose"],
    ["li api_token=s3cr3t-C", "li api_token=[redacted]"],
    ["login ada --verbose 's3cr3t D'", "login ada --verbose [redacted]"], // positional: user, then api_token
    ["/plan login --user ada --api-token s3cr3t-E", "/plan login --user ada --api-token [redacted]"],
  ])("%s", (line, stored) => {
    expect(redactSecretArguments(line, index)).toBe(stored);
  });

  it("registers the values found, so every later sink redacts them too", () => {
    forgetSecrets();
    redactSecretArguments("login --api-token xyzzy-42", index);
    expect(redactSecrets("curl -H 'token: xyzzy-42'")).toBe("curl -H 'token: [redacted]'");
    forgetSecrets();
  });

  it("persists across sessions in the state dir (0600), skips a torn line, keeps the last entries", () => {
    const dir = tempDir();
    const h = new History(dir);
    h.add("hello-world --name Ada");
    h.add("hello-world --name Ada"); // a repeat of the last is not stored again
    h.add("/plan rm -rf ~");
    fs.appendFileSync(path.join(dir, HISTORY_FILE), '"torn');
    expect(new History(dir).entries()).toEqual(["hello-world --name Ada", "/plan rm -rf ~"]);
    expect(fs.statSync(path.join(dir, HISTORY_FILE)).mode & 0o777).toBe(0o600);
    const many = new History(dir);
    for (let i = 0; i < MAX_HISTORY_ENTRIES + 5; i++) many.add(`echo ${i}`);
    const kept = new History(dir).entries();
    expect(kept).toHaveLength(MAX_HISTORY_ENTRIES);
    expect(kept.at(-1)).toBe(`echo ${MAX_HISTORY_ENTRIES + 4}`);
  });

  it("↑/↓ browse the entries and come back to the line being typed", () => {
    const b = new HistoryBrowser(() => ["a", "b"]);
    expect(b.up("typing")).toBe("b");
    expect(b.up("b")).toBe("a");
    expect(b.up("a")).toBeUndefined();
    expect(b.down()).toBe("b");
    expect(b.down()).toBe("typing");
  });
});
