import os from "node:os";
import path from "node:path";
import { AuditLog } from "../audit/log.js";
import { CommandRegistry, type RegistryLayer } from "../commands/registry.js";
import { type LoadConfigOptions, type LoadedConfig, loadConfig } from "../config/load.js";
import { gateProjectLayers } from "../config/command-trust.js";
import { packageRoot } from "../config/paths.js";
import type { FirebreakConfig } from "../config/schema.js";
import type { ShellAnalysis } from "../policy/shell/types.js";
import { type CompiledPolicy, compilePolicy } from "./compiled-policy.js";
import type { LoadedKnowledgeGraph } from "../knowledge/loader.js";
import { knowledgeLoader } from "./knowledge.js";
import { MicroVmRunner } from "../vm/runner.js";
import { VmRuntime } from "../vm/runtime.js";
import type { VmRunner } from "./vm-runner.js";

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
  /** Live output sinks (the CLI passes process streams; tests collect). */
  io: { stdout: (chunk: Buffer | string) => void; stderr: (chunk: Buffer | string) => void };
}

export interface CreateContextOptions extends LoadConfigOptions {
  vm?: VmRunner;
  io?: EngineContext["io"];
  shell?: () => Promise<ShellAnalyzer>;
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
 * Loads config and commands and wires the stages.
 *
 * @example
 * const ctx = await createContext({ cwd: process.cwd() });
 * ctx.registry.resolve("hello-world");
 */
export async function createContext(options: CreateContextOptions = {}): Promise<EngineContext> {
  const loaded = loadConfig(options);
  const { config, paths } = loaded;
  const registry = new CommandRegistry(registryLayers(loaded));
  registry.loadAll();
  const stateDir = paths.stateDir;
  const auditDir = config.audit.dir ? path.resolve(loaded.projectRoot, config.audit.dir) : path.join(stateDir, "audit");
  let shellPromise: Promise<ShellAnalyzer> | undefined;
  const shell =
    options.shell ??
    (() => {
      shellPromise ??= import("../policy/shell/index.js").then((m) => m.createShellAnalyzer());
      return shellPromise;
    });
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
    vm: options.vm ?? new MicroVmRunner(new VmRuntime(config.vm, stateDir)),
    io: options.io ?? { stdout: (c) => process.stdout.write(c), stderr: (c) => process.stderr.write(c) },
  };
}
