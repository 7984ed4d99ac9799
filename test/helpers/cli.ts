import { spawn } from "node:child_process";
import path from "node:path";
import { isolatedEnv, REPO_ROOT, tempDir } from "./tmp.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The installed `firebreak` command: the shell entry that runs the native launcher (when built), else the Node CLI. */
export const FIREBREAK_COMMAND = path.join(REPO_ROOT, "bin/firebreak");
/** The native launcher itself (scripts/build-launcher.sh). */
export const LAUNCHER = path.join(REPO_ROOT, "dist/launcher/firebreak");

/**
 * Runs the built CLI as a real process: `node bin/firebreak.js` (the Node CLI and its lean client), or with
 * `entry: "command"` the `firebreak` command as installed (bin/firebreak, through the native launcher).
 */
export function runCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; entry?: "node" | "command" }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [file, argv] = options.entry === "command" ? [FIREBREAK_COMMAND, args] : [process.execPath, [path.join(REPO_ROOT, "bin/firebreak.js"), ...args]];
    const child = spawn(file, argv, { cwd: options.cwd, env: options.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** A temp home (isolated XDG dirs) and a temp project directory for one CLI test. */
export function freshCliProject(): { home: string; project: string; env: NodeJS.ProcessEnv } {
  const home = tempDir("fb-home-");
  return { home, project: tempDir("fb-proj-"), env: isolatedEnv(home) };
}
