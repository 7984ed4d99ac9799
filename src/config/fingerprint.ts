import fs from "node:fs";
import path from "node:path";
import { resolvePaths } from "../paths.js";
import { findProjectConfig } from "./load.js";
import { TRUST_STORE_FILE } from "./trust.js";

/**
 * Identifies the configuration that applies from `cwd` without parsing it: which files (user config,
 * project config, trust store) exist, with their size and modification time. A long-running process
 * compares fingerprints to see a changed configuration on the next request, for a few stat calls.
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
  const project = configFile ? path.resolve(cwd, configFile) : findProjectConfig(cwd);
  const identity = project ?? `${path.resolve(cwd)}/`;
  const files = [path.join(paths.configDir, "config.toml"), path.join(paths.configDir, TRUST_STORE_FILE), ...(project ? [project] : [])];
  return { identity, fingerprint: files.map((file) => `${file}@${stamp(file)}`).join("|") };
}

function stamp(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return "-";
  }
}
