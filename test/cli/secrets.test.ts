import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { forgetSecrets, redactDeep, redactSecrets, registerSecret } from "../../src/audit/redact.js";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { writeTree } from "../helpers/tmp.js";

const CANARY = "Canary7Q9x";

/** Every file below dir (recursively), with its text. */
function filesBelow(dir: string): [string, string][] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => {
    const file = path.join(e.parentPath, e.name);
    return [file, fs.readFileSync(file, "latin1")];
  });
}

describe("secret parameters are redacted everywhere (issue 11, item 2)", () => {
  it("no audit record, plan, hook log, hook event, webhook-shaped output or error message carries the value", async () => {
    const { home, project, env: base } = freshCliProject();
    const env = { ...base, FIREBREAK_TRUST_PROJECT: "1" };
    writeTree(project, {
      "firebreak.toml": [
        '[vm]\nbackend = "none"',
        "[hooks.logging]\ninclude_rendered = true",
        '[[hooks.external]]\nname = "capture"\nprogram = "./capture.sh"\nphases = ["pre", "post"]',
      ].join("\n"),
      "capture.sh": '#!/bin/sh\ncat >> "$FIREBREAK_WORKSPACE/hook-events.jsonl"\n',
      ".firebreak/commands/leak.md": [
        "---",
        "name: leak",
        "description: takes a token",
        "parameters:",
        "  - name: token",
        "    secret: true",
        "    required: true",
        "    pattern: '^[A-Za-z0-9]+$'",
        "command: printf '%s' {{token}} | wc -c",
        "---",
      ].join("\n"),
    });
    fs.chmodSync(path.join(project, "capture.sh"), 0o755);
    const cli = (...args: string[]) => runCli(args, { cwd: project, env });
    const outputs = [
      await cli("run", "leak", "--token", CANARY),
      await cli("run", "--json", "leak", "--token", CANARY),
      await cli("run", "--plan", "leak", "--token", CANARY),
      await cli("run", "--plan", "--json", "leak", CANARY),
      await cli("run", "leak", "--token", `${CANARY}!`), // fails validation: the message must not echo it
      await cli("audit", "tail", "-n", "20", "--json"),
    ];
    expect(outputs[0]?.stdout.trim()).toBe(String(CANARY.length)); // the command itself got the real value
    expect(outputs[4]?.code).toBe(2);
    expect(outputs[4]?.stderr).toMatch(/'?\[redacted\]'? does not match pattern/);
    for (const [i, r] of outputs.entries()) expect(`${r.stdout}\n${r.stderr}`, `output ${i}`).not.toContain(CANARY);
    const files = [...filesBelow(path.join(home, ".state")), ...filesBelow(path.join(home, ".config")), ...filesBelow(project).filter(([f]) => !f.endsWith(".md"))];
    expect(files.map(([f]) => path.basename(f))).toEqual(expect.arrayContaining(["audit.jsonl", "hooks.jsonl", "hook-events.jsonl"]));
    for (const [file, text] of files) expect(text, file).not.toContain(CANARY);
    expect(fs.readFileSync(path.join(project, "hook-events.jsonl"), "utf8")).toContain("[redacted]");
  }, 60_000);
});

describe("redactSecrets", () => {
  it("replaces raw, shell-quoted and JSON-escaped forms, longest first", () => {
    forgetSecrets();
    registerSecret("it's \"x\"");
    expect(redactSecrets(`echo 'it'\\''s "x"' it's "x"`)).toBe("echo [redacted] [redacted]");
    expect(redactSecrets(JSON.stringify({ v: `it's "x"` }))).toBe('{"v":"[redacted]"}');
    expect(redactDeep({ a: ["it's \"x\"", 1], "it's \"x\"": true })).toEqual({ a: ["[redacted]", 1], "[redacted]": true });
    forgetSecrets();
    expect(redactSecrets("it's \"x\"")).toBe("it's \"x\"");
  });
});
