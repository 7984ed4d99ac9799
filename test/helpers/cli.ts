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
export async function runCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; entry?: "node" | "command" }): Promise<CliResult> {
  const [file, argv] = options.entry === "command" ? [FIREBREAK_COMMAND, args] : [process.execPath, [path.join(REPO_ROOT, "bin/firebreak.js"), ...args]];
  const { signal: _, ...result } = await runProgram(file, argv, options);
  return result;
}

/** Runs a program with its stdin given; resolves with its exit status (or the signal that ended it) and output. */
export function runProgram(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string | Buffer }): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on("error", () => {}); // a program that reads no stdin may close it first
    child.stdin.end(options.input ?? "");
  });
}

/** A temp home (isolated XDG dirs) and a temp project directory for one CLI test. */
export function freshCliProject(): { home: string; project: string; env: NodeJS.ProcessEnv } {
  const home = tempDir("fb-home-");
  return { home, project: tempDir("fb-proj-"), env: isolatedEnv(home) };
}
