/**
 * Trust for a project's command files (`.firebreak/commands/*.md`), like trust for its firebreak.toml: a cloned
 * repository's command files run on the host with `firebreak run`, so each file is used only while its content is
 * the content the user reviewed with `firebreak trust`. A new or changed file is refused (and named) until then.
 */
import fs from "node:fs";
import path from "node:path";
import { listMarkdown, type RegistryLayer } from "../commands/registry.js";
import type { LoadedConfig } from "./load.js";
import type { FirebreakPaths } from "../paths.js";
import { digest, readStore, realpath, storePath, TRUST_ENV, writeStore } from "./trust.js";

export interface CommandTrustChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

/**
 * The command folders that come with the project: its `.firebreak/commands` and any `[commands] extra_dirs` inside
 * the project. Folders outside it (the user's own) are not gated.
 */
export function projectCommandDirs(loaded: Pick<LoadedConfig, "config" | "projectRoot">): string[] {
  const root = path.resolve(loaded.projectRoot);
  const inProject = (dir: string) => dir === root || dir.startsWith(root + path.sep);
  const extra = loaded.config.commands.extra_dirs.map((d) => path.resolve(root, d)).filter(inProject);
  return [path.resolve(root, loaded.config.commands.project_dir), ...extra];
}

/**
 * The registry gate for a project command folder: undefined for a trusted file, else why it cannot be used.
 * The trusted list is read again only when the trust file changed (a long-running process sees a new 'trust').
 */
export function projectCommandGate(dir: string, paths: FirebreakPaths, env: NodeJS.ProcessEnv): (file: string, text: string) => string | undefined {
  if (env[TRUST_ENV] === "1") return () => undefined;
  let trusted: Record<string, string> = {};
  let readAt: number | undefined;
  return (file, text) => {
    const changed = trustFileMtime(paths);
    if (changed !== readAt) {
      trusted = readStore(paths).commandDirs?.[realpath(dir)]?.files ?? {};
      readAt = changed;
    }
    const rel = path.relative(realpath(dir), realpath(file));
    const pinned = trusted[rel];
    if (pinned === digest(text)) return undefined;
    const why = pinned ? "it changed since it was trusted" : "it is a new project command file, not yet trusted";
    return `${why}; project command files run on this machine: review them, then run 'firebreak trust' (or set ${TRUST_ENV}=1 in scripts that write their own commands)`;
  };
}

/** What differs between the folder now and what was trusted. */
export function commandTrustChanges(dir: string, paths: FirebreakPaths): CommandTrustChanges {
  const trusted = readStore(paths).commandDirs?.[realpath(dir)]?.files ?? {};
  const current = currentFiles(dir);
  return {
    added: Object.keys(current).filter((rel) => !(rel in trusted)),
    changed: Object.keys(current).filter((rel) => rel in trusted && trusted[rel] !== current[rel]),
    removed: Object.keys(trusted).filter((rel) => !(rel in current)),
  };
}

/** Pins the current content of every command file in the folder. */
export function trustProjectCommands(dir: string, paths: FirebreakPaths): { dir: string; files: number } {
  const store = readStore(paths);
  const files = currentFiles(dir);
  store.commandDirs ??= {};
  store.commandDirs[realpath(dir)] = { files, trustedAt: new Date().toISOString() };
  writeStore(paths, store);
  return { dir: realpath(dir), files: Object.keys(files).length };
}

export function revokeProjectCommands(dir: string, paths: FirebreakPaths): boolean {
  const store = readStore(paths);
  const key = realpath(dir);
  if (!store.commandDirs?.[key]) return false;
  delete store.commandDirs[key];
  writeStore(paths, store);
  return true;
}

function trustFileMtime(paths: FirebreakPaths): number {
  try {
    return fs.statSync(storePath(paths)).mtimeMs;
  } catch {
    return 0;
  }
}

function currentFiles(dir: string): Record<string, string> {
  const root = realpath(dir);
  const out: Record<string, string> = {};
  for (const file of listMarkdown(dir)) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue; // a dangling symlink or a folder named *.md: nothing to trust; the registry reports it
    }
    out[path.relative(root, realpath(file))] = digest(text);
  }
  return out;
}

/** Adds the trust gate to every layer whose folder comes with the project (see projectCommandDirs). */
export function gateProjectLayers(layers: RegistryLayer[], loaded: Pick<LoadedConfig, "config" | "projectRoot" | "paths" | "env">): RegistryLayer[] {
  const gated = new Set(projectCommandDirs(loaded));
  return layers.map((l) => (gated.has(path.resolve(l.dir)) ? { ...l, gate: projectCommandGate(l.dir, loaded.paths, loaded.env ?? process.env) } : l));
}
