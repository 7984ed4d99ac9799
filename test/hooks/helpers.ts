/** Shared test helpers: contexts, segments, temp dirs, spawning fixtures. */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach } from "vitest";
import { removeAfterFile } from "../helpers/tmp.js";
import type { ShellSegment } from "../../src/policy/shell/types.js";
import type { Hook, HookContext, HookOutcome } from "../../src/hooks/types.js";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

export function seg(argv: string[], redirects: ShellSegment["redirects"] = []): ShellSegment {
  return { argv, wrappers: [], redirects, opaque: false, text: argv.join(" "), context: [] };
}

export function makeCtx(over: Partial<HookContext> = {}): HookContext {
  return {
    phase: "pre",
    invocationId: "inv-1",
    command: { name: "demo", permissions: [], riskLevel: "low" },
    parameters: {},
    rendered: "true",
    decision: { risk: "low", placement: "local", reasons: [] },
    segments: [],
    cwd: process.cwd(),
    workspace: process.cwd(),
    role: "developer",
    user: "tester",
    stateDir: join(tmpdir(), "firebreak-unused-state"),
    ...over,
  };
}

export function fakeHook(name: string, priority: number, run: (ctx: HookContext) => Promise<HookOutcome> | HookOutcome, over: Partial<Hook> = {}): Hook {
  return { name, priority, phases: ["pre", "post"], timeoutMs: 2000, run: async (ctx) => run(ctx), ...over };
}

export async function tempDir(prefix = "fb-hooks-"): Promise<{ path: string; cleanup(): Promise<void> }> {
  // Also removed after the file, for tests that fail before their own cleanup.
  const path = removeAfterFile(await mkdtemp(join(tmpdir(), prefix)));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export interface TempDirs {
  ws: { path: string; cleanup(): Promise<void> };
  state: { path: string; cleanup(): Promise<void> };
}

/** A fresh workspace and state dir per test, removed after it. Read the fields inside tests. */
export function useWorkspaceAndState(): TempDirs {
  const dirs = {} as TempDirs;
  beforeEach(async () => {
    dirs.ws = await tempDir("fb-ws-");
    dirs.state = await tempDir("fb-state-");
  });
  afterEach(async () => {
    await dirs.ws.cleanup();
    await dirs.state.cleanup();
  });
  return dirs;
}

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns a real program and waits for it. */
export function runReal(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; detached?: boolean } = {}): { pid: number; done: Promise<Ran> } {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: opts.detached ?? false, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b) => (stdout += b));
  child.stderr.on("data", (b) => (stderr += b));
  const done = new Promise<Ran>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { pid: child.pid as number, done };
}
