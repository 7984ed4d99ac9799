import fs from "node:fs";
import path from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import type { z } from "zod";
import { BUILD_ID } from "../build-id.js";
import { ConfigError, ConfigIssuesError, type SourceLocation } from "../errors.js";
import { DEFAULT_CONFIG_TOML } from "./defaults.js";
import { type FirebreakPaths, resolvePaths } from "../paths.js";
import { checkProjectTrust } from "./trust.js";
import type { FirebreakConfig } from "./schema.js";
import { checkReferences, type ReferenceIssue } from "./references.js";
import { locateTomlKey } from "./toml-locate.js";
import { ValidatedConfigCache } from "./validated-cache.js";
import { sealKeyFile } from "../sealed-file.js";

export const PROJECT_CONFIG_FILE = "firebreak.toml";

/** One layer of configuration text and where it came from. */
export interface ConfigSource {
  file: string;
  text: string;
  data: Record<string, unknown>;
}

/** The project config file that applies from cwd (nearest firebreak.toml upwards), if any. */
export function findProjectConfig(cwd: string): string | undefined {
  return findUp(cwd, PROJECT_CONFIG_FILE);
}

export interface LoadedConfig {
  config: FirebreakConfig;
  /** Lowest precedence first: built-in defaults, user file, project file. */
  sources: ConfigSource[];
  /** Directory that holds the project's firebreak.toml, or the working directory. */
  projectRoot: string;
  paths: FirebreakPaths;
  /** The environment the config was loaded for (trust overrides such as FIREBREAK_TRUST_PROJECT live there). */
  env?: NodeJS.ProcessEnv;
}

export interface LoadConfigOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** An explicit project config file (`--config`); replaces the upward search. */
  configFile?: string;
  /**
   * Validated configurations from earlier calls (validated-cache.ts). Default: the state directory's, in a bundled
   * build (which has a build id); none otherwise.
   */
  validatedCache?: ValidatedConfigCache | null;
}

/**
 * Loads defaults < `$XDG_CONFIG_HOME/firebreak/config.toml` < project `firebreak.toml`.
 *
 * @example
 * const { config } = await loadConfig({ cwd: process.cwd() });
 * config.default_role; // "developer"
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const paths = resolvePaths(options.env);
  const sources: ConfigSource[] = [parseSource("<built-in defaults>", DEFAULT_CONFIG_TOML)];
  const userFile = path.join(paths.configDir, "config.toml");
  if (fs.existsSync(userFile)) sources.push(readSource(userFile));
  const projectFile = options.configFile ? path.resolve(cwd, options.configFile) : findUp(cwd, PROJECT_CONFIG_FILE);
  if (options.configFile && !fs.existsSync(projectFile ?? "")) {
    throw new ConfigError("config file not found", { file: options.configFile });
  }
  if (projectFile) {
    const source = readSource(projectFile);
    // Found in the tree or named with --config, a project file may come with someone else's repository.
    checkProjectTrust(projectFile, source.text, paths, options.env ?? process.env);
    sources.push(source);
  }
  const merged = sources.reduce<Record<string, unknown>>((acc, s) => deepMerge(acc, s.data), {});
  const projectRoot = projectFile ? path.dirname(projectFile) : cwd;
  const cache = options.validatedCache === undefined ? defaultValidatedCache(paths) : (options.validatedCache ?? undefined);
  const config = await validate(merged, sources, { projectRoot, env: options.env ?? process.env, cache });
  return { config, sources, projectRoot, paths, env: options.env ?? process.env };
}

/**
 * Validates a merged config object: the schema, then whether the names it uses exist (roles, VM types, hook
 * presets and programs, knowledge graphs). Every problem is reported at once, each naming the file and line
 * that set the key; one problem is a ConfigError, several a ConfigIssuesError.
 */
export async function validate(
  merged: unknown,
  sources: ConfigSource[],
  where: { projectRoot?: string; env?: NodeJS.ProcessEnv; cache?: ValidatedConfigCache } = {},
): Promise<FirebreakConfig> {
  const issues: ReferenceIssue[] = [];
  const input = where.cache && cacheableInput(merged);
  let config = input === undefined ? undefined : (where.cache?.get(input) as FirebreakConfig | undefined);
  if (config === undefined) {
    // Imported here, not at the top: a call that finds its configuration in the cache never builds the schema.
    const { configSchema } = await import("./schema.js");
    const result = configSchema.safeParse(merged);
    if (result.success) {
      config = result.data;
      if (input !== undefined) where.cache?.set(input, config);
    } else issues.push(...result.error.issues.flatMap(fromZodIssue));
  }
  const projectRoot = where.projectRoot ?? process.cwd();
  const fileDir = (source: ConfigSource | undefined) => (source && !source.file.startsWith("<") ? path.dirname(source.file) : projectRoot);
  issues.push(
    ...checkReferences((merged ?? {}) as Record<string, unknown>, {
      dirOfKey: (keyPath) => fileDir([...sources].reverse().find((s) => hasPath(s.data, keyPath))),
      hookBaseDir: fileDir(sources.at(-1)),
      pathEnv: (where.env ?? process.env).PATH ?? "",
    }),
  );
  if (issues.length === 0 && config !== undefined) return config;
  const located = issues.map((issue) => ({ message: issue.message, location: locateKey(issue.keyPath, sources) }));
  if (located.length === 1) return throwOne(located[0]!);
  throw new ConfigIssuesError(located);
}

function defaultValidatedCache(paths: FirebreakPaths): ValidatedConfigCache | undefined {
  return BUILD_ID === undefined ? undefined : new ValidatedConfigCache(path.join(paths.stateDir, "cache", "config.json"), sealKeyFile(paths.configDir), BUILD_ID);
}

/**
 * The merged configuration as the cache's key, when JSON states it exactly: only strings, finite numbers, booleans,
 * arrays and plain objects (TOML tables have no prototype). A TOML date and the string it prints as, or `inf` and
 * `nan` (both JSON null), must not share an entry.
 */
function cacheableInput(merged: unknown): string | undefined {
  return isJsonData(merged) ? JSON.stringify(merged) : undefined;
}

function isJsonData(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isJsonData);
  if (typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === null || proto === Object.prototype) && Object.values(value).every(isJsonData);
}

function throwOne(issue: { message: string; location: SourceLocation }): never {
  throw new ConfigError(issue.message, issue.location);
}

function fromZodIssue(issue: z.core.$ZodIssue): ReferenceIssue[] {
  const keyPath = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  if (issue.code === "unrecognized_keys") return issue.keys.map((key) => ({ keyPath: [...keyPath, key], message: `unknown key '${key}'` }));
  return [{ keyPath, message: issue.message }];
}

/** The highest-precedence file that sets the key is the one to blame. */
function locateKey(keyPath: (string | number)[], sources: ConfigSource[]): SourceLocation {
  const field = keyPath.join(".");
  for (const source of [...sources].reverse()) {
    const line = locateTomlKey(source.text, keyPath);
    if (line !== undefined && hasPath(source.data, keyPath)) return { file: source.file, line, field };
  }
  return { field };
}

function hasPath(data: unknown, keyPath: readonly (string | number)[]): boolean {
  let cur: unknown = data;
  for (const k of keyPath) {
    if (cur === null || typeof cur !== "object" || !(k in (cur as object))) return false;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return true;
}

function readSource(file: string): ConfigSource {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (cause) {
    throw new ConfigError(`cannot read config file: ${(cause as Error).message}`, { file }, { cause });
  }
  return parseSource(file, text);
}

/** Parses TOML text; syntax errors become ConfigError with file and line. */
export function parseSource(file: string, text: string): ConfigSource {
  try {
    return { file, text, data: parseToml(text) as Record<string, unknown> };
  } catch (cause) {
    if (cause instanceof TomlError) {
      const first = cause.message.split("\n")[0] ?? cause.message;
      throw new ConfigError(`invalid TOML: ${first}`, { file, line: cause.line }, { cause });
    }
    throw new ConfigError(`invalid TOML: ${(cause as Error).message}`, { file }, { cause });
  }
}

function findUp(start: string, name: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Objects merge key by key; anything else (arrays included) is replaced by the later layer. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);
}
