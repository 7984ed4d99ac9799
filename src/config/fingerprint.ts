import fs from "node:fs";
import path from "node:path";
import { resolvePaths } from "../paths.js";
import { PROJECT_CONFIG_FILE } from "./load.js";
import { TRUST_STORE_FILE } from "./trust.js";

/**
 * Identifies the configuration that applies from `cwd` without parsing it: which files (user config,
 * project config, trust store) exist, with their size and modification time. A long-running process
 * compares fingerprints to see a changed configuration on the next request, for one stat per file and
 * per directory searched.
 *
 * `identity` names the configuration (the project file, or the directory when there is none: its
 * `.firebreak/commands` are the project's); `fingerprint` changes whenever one of the files does.
 *
 * @example
 * const { identity, fingerprint } = configFingerprint(cwd, env);
 * if (cache.get(identity)?.fingerprint !== fingerprint) reload();
 */
export function configFingerprint(cwd: string, env: NodeJS.ProcessEnv, configFile?: string): { identity: string; fingerprint: string } {
  const paths = resolvePaths(env);
  const project = configFile ? { file: path.resolve(cwd, configFile), stat: statOf(path.resolve(cwd, configFile)) } : findUp(cwd);
  const identity = project?.file ?? `${path.resolve(cwd)}/`;
  const user = path.join(paths.configDir, "config.toml");
  const trust = path.join(paths.configDir, TRUST_STORE_FILE);
  const parts = [`${user}@${stamp(statOf(user))}`, `${trust}@${stamp(statOf(trust))}`];
  if (project) parts.push(`${project.file}@${stamp(project.stat)}`);
  return { identity, fingerprint: parts.join("|") };
}

/** The nearest firebreak.toml at or above `start`, with its stat (the same search loadConfig makes). */
function findUp(start: string): { file: string; stat: fs.Stats } | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const file = path.join(dir, PROJECT_CONFIG_FILE);
    const stat = statOf(file);
    if (stat) return { file, stat };
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function statOf(file: string): fs.Stats | undefined {
  return fs.statSync(file, { throwIfNoEntry: false });
}

function stamp(s: fs.Stats | undefined): string {
  return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : "-";
}
