import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
export const SHARED_FIXTURES = path.resolve(REPO_ROOT, "../shared/fixtures");
export const SEED_COMMANDS = path.join(SHARED_FIXTURES, "seed-commands");

/** A fresh temp dir removed after the test file (call in the test or a beforeEach). */
export function tempDir(prefix = "fb-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes files (path -> content) under root, creating folders. */
export function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}

/** An isolated environment: XDG dirs inside a temp home, so tests never touch the real state. */
export function isolatedEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    USER: "tester",
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_STATE_HOME: path.join(home, ".state"),
    NO_COLOR: "1",
    // Tests write their own project configs (the trust flow itself is tested without this).
    FIREBREAK_TRUST_PROJECT: "1",
  };
}

export function definition(name: string, extra = "", command?: string): string {
  return `---\nname: ${name}\ndescription: ${name} command\n${extra}${command ? `command: ${JSON.stringify(command)}\n` : ""}---\n\n# ${name}\n`;
}
