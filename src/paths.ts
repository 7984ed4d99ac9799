import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** XDG base directories, resolved from an injectable environment (tests pass their own). */
export interface FirebreakPaths {
  /** `$XDG_CONFIG_HOME/firebreak` */
  configDir: string;
  /** `$XDG_STATE_HOME/firebreak`: audit log, rate-limit buckets, snapshots, caches. */
  stateDir: string;
  /** User-level command definitions. */
  userCommandsDir: string;
}

export function resolvePaths(env: NodeJS.ProcessEnv = process.env): FirebreakPaths {
  const home = env.HOME || os.homedir();
  const configHome = env.XDG_CONFIG_HOME || path.join(home, ".config");
  const stateHome = env.XDG_STATE_HOME || path.join(home, ".local", "state");
  const configDir = path.join(configHome, "firebreak");
  return {
    configDir,
    stateDir: path.join(stateHome, "firebreak"),
    userCommandsDir: path.join(configDir, "commands"),
  };
}

/** The package root (where `commands/` and `kg/` are bundled): the nearest folder above this module with firebreak's package.json. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && /"name"\s*:\s*"firebreak"/.test(fs.readFileSync(manifest, "utf8"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`firebreak's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Where the daemon's files live: its socket (when not elsewhere), pid file, log and TCP token. */
export interface DaemonPaths {
  socket: string;
  pidFile: string;
  logFile: string;
  tokenFile: string;
}

/**
 * The daemon's socket: `FIREBREAK_SOCKET`, else `$XDG_RUNTIME_DIR/firebreak/daemon.sock`, else
 * `<state dir>/run/daemon.sock` (each in a 0700 directory). Pid file, log and token stay in the state dir.
 */
export function daemonPaths(env: NodeJS.ProcessEnv = process.env): DaemonPaths {
  const { stateDir } = resolvePaths(env);
  const runDir = env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, "firebreak") : path.join(stateDir, "run");
  return {
    socket: env.FIREBREAK_SOCKET || path.join(runDir, "daemon.sock"),
    pidFile: path.join(stateDir, "daemon.pid"),
    logFile: path.join(stateDir, "daemon.log"),
    tokenFile: path.join(stateDir, "daemon.token"),
  };
}
