import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
/** Third-party data the tests read (origin and licences in test/fixtures/README.md). */
export const FIXTURES = path.join(REPO_ROOT, "test/fixtures");
export const SEED_COMMANDS = path.join(FIXTURES, "seed-commands");
export const TERRAPHIM_KG = path.join(FIXTURES, "terraphim-kg");

/** Temp dirs made by this test file, removed by test/helpers/remove-temp-dirs.ts after the file. */
const madeTempDirs = new Set<string>();

/** Registers a temp dir (made by any means) for removal after the test file. */
export function removeAfterFile<T extends string>(dir: T): T {
  madeTempDirs.add(dir);
  return dir;
}

/** A fresh temp dir, removed after the test file (call in the test, a beforeEach or at module level). */
export function tempDir(prefix = "fb-"): string {
  return removeAfterFile(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** Removes every registered temp dir; the setup file calls this in an afterAll. */
export function removeTempDirs(): void {
  for (const dir of madeTempDirs) fs.rmSync(dir, { recursive: true, force: true });
  madeTempDirs.clear();
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
    // Where the test run puts temp files, so a run under its own TMPDIR can count what is left behind.
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    // Tests write their own project configs (the trust flow itself is tested without this).
    FIREBREAK_TRUST_PROJECT: "1",
  };
}

export function definition(name: string, extra = "", command?: string): string {
  return `---\nname: ${name}\ndescription: ${name} command\n${extra}${command ? `command: ${JSON.stringify(command)}\n` : ""}---\n\n# ${name}\n`;
}
