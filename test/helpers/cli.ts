import { spawn } from "node:child_process";
import path from "node:path";
import { isolatedEnv, REPO_ROOT, tempDir } from "./tmp.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `firebreak` binary as a real process. */
export function runCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/firebreak.js"), ...args], { cwd: options.cwd, env: options.env });
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
