import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import type { FirebreakPaths } from "../paths.js";

/** Set to 1 by scripts and CI that write their own project config. */
export const TRUST_ENV = "FIREBREAK_TRUST_PROJECT";
export const TRUST_STORE_FILE = "trusted-projects.json";

export interface TrustStore {
  version: 1;
  /** real path of a project's firebreak.toml -> sha256 of the content that was reviewed. */
  files: Record<string, { sha256: string; trustedAt: string }>;
  /** real path of a project's command folder -> each file (relative path) and the sha256 of its reviewed content. */
  commandDirs?: Record<string, { files: Record<string, string>; trustedAt: string }>;
}

/**
 * A project's firebreak.toml comes with the repository, and a repository may be someone else's: it can raise
 * risk ceilings or add hook programs that run on every command. So it is used only once its exact content has
 * been trusted (`firebreak trust`), like `direnv allow`. Any edit needs a new trust.
 */
export function checkProjectTrust(file: string, text: string, paths: FirebreakPaths, env: NodeJS.ProcessEnv): void {
  if (env[TRUST_ENV] === "1") return;
  const entry = readStore(paths).files[realpath(file)];
  if (entry?.sha256 === digest(text)) return;
  const why = entry ? "it changed since it was trusted" : "it has not been trusted on this machine";
  throw new ConfigError(
    `project configuration is not trusted (${why}): it can change what runs on this machine. Review it, then run 'firebreak trust' (or set ${TRUST_ENV}=1 in scripts that write their own config)`,
    { file },
  );
}

/** Records the current content of a project config as trusted. */
export function trustProjectFile(file: string, paths: FirebreakPaths): { file: string; sha256: string } {
  const text = fs.readFileSync(file, "utf8");
  const store = readStore(paths);
  const key = realpath(file);
  store.files[key] = { sha256: digest(text), trustedAt: new Date().toISOString() };
  writeStore(paths, store);
  return { file: key, sha256: store.files[key]!.sha256 };
}

export function revokeProjectFile(file: string, paths: FirebreakPaths): boolean {
  const store = readStore(paths);
  const key = realpath(file);
  if (!(key in store.files)) return false;
  delete store.files[key];
  writeStore(paths, store);
  return true;
}

export function listTrusted(paths: FirebreakPaths): { file: string; sha256: string; trustedAt: string; current: boolean }[] {
  return Object.entries(readStore(paths).files).map(([file, e]) => ({
    file,
    ...e,
    current: fs.existsSync(file) && digest(fs.readFileSync(file, "utf8")) === e.sha256,
  }));
}

export function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function realpath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

export function storePath(paths: FirebreakPaths): string {
  return path.join(paths.configDir, TRUST_STORE_FILE);
}

export function readStore(paths: FirebreakPaths): TrustStore {
  try {
    const data = JSON.parse(fs.readFileSync(storePath(paths), "utf8")) as TrustStore;
    if (data.version === 1 && data.files && typeof data.files === "object") return data;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new ConfigError(`cannot read the trusted-projects list: ${(cause as Error).message}`, { file: storePath(paths) }, { cause });
    }
  }
  return { version: 1, files: {} };
}

export function writeStore(paths: FirebreakPaths, store: TrustStore): void {
  fs.mkdirSync(paths.configDir, { recursive: true });
  const tmp = `${storePath(paths)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, storePath(paths));
}
