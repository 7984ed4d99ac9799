/**
 * `firebreak` on a terminal (or `firebreak tui`): picks the backend — a running daemon when one answers on
 * its socket, else the engine in this process — and runs the Ink app until the user quits. Loaded with a
 * dynamic import by the CLI, so nothing else pays for React.
 */
import fs from "node:fs";
import { render } from "ink";
import { DaemonClient } from "../client/daemon-client.js";
import { createFirebreak } from "../firebreak.js";
import { daemonPaths } from "../paths.js";
import { App } from "./app.js";
import type { TuiBackend } from "./backend.js";
import { DaemonBackend } from "./daemon-backend.js";
import { LocalBackend } from "./local-backend.js";
import { Session } from "./session.js";

/** How often the status line asks the daemon for its pool. */
export const POOL_POLL_MS = 2000;

export interface StartTuiOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  configFile?: string;
  /** false: never use a daemon (`--no-daemon`, FIREBREAK_DAEMON=off). */
  daemon: boolean;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

/** The daemon's backend when one answers `/healthz`, else undefined. */
async function connectDaemon(env: NodeJS.ProcessEnv, local: LocalBackend): Promise<DaemonBackend | undefined> {
  const socket = daemonPaths(env).socket;
  if (!fs.existsSync(socket)) return undefined;
  const client = new DaemonClient(socket);
  try {
    const { status } = await client.json<unknown>("GET", "/healthz");
    return status === 200 ? new DaemonBackend(client, local, env) : undefined;
  } catch {
    return undefined; // a stale socket: in-process
  }
}

/**
 * @example
 * await startTui({ cwd: process.cwd(), env: process.env, daemon: true });
 */
export async function startTui(options: StartTuiOptions): Promise<void> {
  const ctx = await createFirebreak({ cwd: options.cwd, env: options.env, configFile: options.configFile });
  const local = new LocalBackend(ctx, options.env, options.cwd);
  const backend: TuiBackend = (options.daemon && (await connectDaemon(options.env, local))) || local;
  const color = !options.env.NO_COLOR && Boolean((options.stdout ?? process.stdout).isTTY);
  const session = new Session(backend, { color });
  const app = render(<App session={session} color={color} />, {
    exitOnCtrlC: false,
    patchConsole: false,
    ...(options.stdin ? { stdin: options.stdin } : {}),
    ...(options.stdout ? { stdout: options.stdout } : {}),
  });
  void session.loadCommands();
  let poll: NodeJS.Timeout | undefined;
  if (backend.mode === "daemon") {
    const refresh = async () => session.setPool(await backend.pool());
    void refresh();
    poll = setInterval(() => void refresh(), POOL_POLL_MS);
  }
  try {
    await app.waitUntilExit();
  } finally {
    clearInterval(poll);
  }
}
