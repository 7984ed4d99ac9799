import os from "node:os";
import path from "node:path";
import { AuditLog } from "../audit/log.js";
import { DefinitionCache } from "../commands/parse-cache.js";
import { CommandRegistry, type RegistryLayer } from "../commands/registry.js";
import { type LoadConfigOptions, type LoadedConfig, loadConfig } from "../config/load.js";
import { gateProjectLayers } from "../config/command-trust.js";
import { packageRoot } from "../paths.js";
import { sealKeyFile } from "../sealed-file.js";
import type { FirebreakConfig } from "../config/schema.js";
import type { ShellAnalysis } from "../policy/shell/types.js";
import { type CompiledPolicy, compilePolicy } from "./compiled-policy.js";
import type { LoadedKnowledgeGraph } from "../knowledge/loader.js";
import { knowledgeLoader } from "./knowledge.js";
import type { VmRunner } from "../vm/run-request.js";

/** The part of the shell analyzer the engine uses (src/policy/shell implements it). */
export interface ShellAnalyzer {
  analyze(line: string): ShellAnalysis;
}

/** Everything the pipeline needs, built once per process (or per test) and passed down. */
export interface EngineContext {
  loaded: LoadedConfig;
  config: FirebreakConfig;
  registry: CommandRegistry;
  audit: AuditLog | null;
  user: string;
  stateDir: string;
  /** The shell analyzer (tree-sitter); loaded lazily because the WASM takes time to load. */
  shell: () => Promise<ShellAnalyzer>;
  vm: VmRunner;
  /** The knowledge graph of a role, loaded once. */
  knowledge: (role: string) => Promise<LoadedKnowledgeGraph>;
  /** Rules and blacklist, compiled once with the real shell parser. */
  policy: () => Promise<CompiledPolicy>;
}

/** What the engine is given rather than builds: the composition root (src/firebreak.ts) wires the real ones. */
export interface EngineDeps {
  /** Runs scripts in microVMs for this configuration. */
  vm: (loaded: LoadedConfig) => VmRunner;
  /** The shell analyzer, loaded lazily (tree-sitter's WASM takes time); one may serve many contexts. */
  shell: () => Promise<ShellAnalyzer>;
}

export interface CreateContextOptions extends LoadConfigOptions {
  /** An already loaded configuration (the server loads it once per request to see changes). */
  loaded?: LoadedConfig;
}

/** Registry layers from config, lowest precedence first: bundled < user < extra < project. */
export function registryLayers(loaded: LoadedConfig): RegistryLayer[] {
  const { config, paths, projectRoot } = loaded;
  const layers: RegistryLayer[] = [];
  if (config.commands.bundled) layers.push({ layer: "bundled", dir: path.join(packageRoot(), "commands") });
  layers.push({ layer: "user", dir: paths.userCommandsDir });
  for (const dir of config.commands.extra_dirs) layers.push({ layer: "extra", dir: path.resolve(projectRoot, dir) });
  layers.push({ layer: "project", dir: path.resolve(projectRoot, config.commands.project_dir) });
  return gateProjectLayers(layers, loaded); // issue 11: project command files need trust
}

/**
 * Loads config and commands and wires the stages with the given dependencies.
 *
 * @example
 * const ctx = await createContext({ cwd: process.cwd() }, deps);
 * ctx.registry.resolve("hello-world");
 */
export async function createContext(options: CreateContextOptions, deps: EngineDeps): Promise<EngineContext> {
  const loaded = options.loaded ?? (await loadConfig(options));
  const { config, paths } = loaded;
  const registry = new CommandRegistry(registryLayers(loaded), { cache: new DefinitionCache(path.join(paths.stateDir, "cache"), sealKeyFile(paths.configDir)) });
  const stateDir = paths.stateDir;
  const auditDir = config.audit.dir ? path.resolve(loaded.projectRoot, config.audit.dir) : path.join(stateDir, "audit");
  const { shell } = deps;
  let policyPromise: Promise<CompiledPolicy> | undefined;
  const policyFile = loaded.sources.at(-1)?.file;
  const policy = () => (policyPromise ??= shell().then((analyzer) => compilePolicy(config, analyzer, policyFile)));
  const base = { loaded, config, stateDir };
  return {
    loaded,
    policy,
    knowledge: knowledgeLoader(base),
    config,
    registry,
    audit: config.audit.enabled ? new AuditLog(auditDir) : null,
    user: config.user ?? (options.env ?? process.env).USER ?? os.userInfo().username,
    stateDir,
    shell,
    vm: deps.vm(loaded),
  };
}
