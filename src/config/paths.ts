import os from "node:os";
import path from "node:path";

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

/** The package root (where `commands/` and `kg/` are bundled), from this file's location in src/ or dist/src/. */
export function packageRoot(): string {
  const here = path.dirname(new URL(import.meta.url).pathname);
  // src/config -> root, dist/src/config -> root
  const up = here.includes(`${path.sep}dist${path.sep}`) ? "../../.." : "../..";
  return path.resolve(here, up);
}
