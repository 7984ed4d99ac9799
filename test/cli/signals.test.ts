import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freshCliProject } from "../helpers/cli.js";
import { REPO_ROOT, writeTree } from "../helpers/tmp.js";

/** ~250 KB of unknown keys: under the size cap, the most a definition can make firebreak parse. */
function paddedDefinition(name: string, command: string): string {
  const keys = Array.from({ length: 8000 }, (_, i) => `unknown_key_${i}: value ${i}`).join("\n");
  return `---\nname: ${name}\ndescription: d\n${keys}\ncommand: ${command}\n---\n`;
}

describe("signals (issue 11, item 7)", () => {
  it("SIGTERM ends a run within seconds even when the project holds a definition at the size cap", async () => {
    const { project, env } = freshCliProject();
    writeTree(project, {
      "firebreak.toml": '[vm]\nbackend = "none"\n',
      ".firebreak/commands/big.md": paddedDefinition("big", "echo big"),
      ".firebreak/commands/slow.md": "---\nname: slow\ndescription: d\ncommand: sleep 30\n---\n",
    });
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/firebreak.js"), "run", "slow"], { cwd: project, env: { ...env, FIREBREAK_TRUST_PROJECT: "1" } });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on("close", (code) => resolve({ code, at: performance.now() })));
    // Signal while firebreak starts up and loads the definitions (the parse used to block for 22 s and ignore it).
    await new Promise((r) => setTimeout(r, 400));
    const sentAt = performance.now();
    child.kill("SIGTERM");
    const { code, at } = await exited;
    // The parse once blocked for 22 s and ignored the signal. A synchronous parse of the largest definition still
    // delays the exit until it ends (~0.35 s here); 3 s tells the two apart on a loaded CI machine too.
    expect(at - sentAt, stderr).toBeLessThan(3000);
    expect(code).not.toBe(0);
  }, 60_000);
});
