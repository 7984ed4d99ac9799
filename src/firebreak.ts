/**
 * The composition root: the one place that wires the real stages together (tree-sitter shell analyzer,
 * QEMU/Firecracker runtime) into an engine context. The CLI, the server and tests build contexts here or
 * pass their own dependencies to `createContext`.
 */
import { type LoadedConfig, loadConfig } from "./config/load.js";
import { type CreateContextOptions, createContext, type EngineContext, type EngineDeps, type ShellAnalyzer } from "./engine/context.js";
import { MicroVmRunner } from "./vm/runner.js";
import type { VmRunner } from "./vm/run-request.js";
import { VmRuntime } from "./vm/runtime.js";
import type { VmSource } from "./vm/vm-source.js";

let sharedShell: Promise<ShellAnalyzer> | undefined;

/** One tree-sitter analyzer per process: its grammar is loaded once and serves every context. */
export function sharedShellAnalyzer(): Promise<ShellAnalyzer> {
  sharedShell ??= import("./policy/shell/index.js").then((m) => m.createShellAnalyzer());
  return sharedShell;
}

/**
 * The real VM runner for a configuration: `[vm]` picks the backend, the state dir holds images and snapshots; VMs
 * come from `source` (the daemon's pool) when given, else one is made per run.
 */
export function defaultVmRunner(loaded: LoadedConfig, source?: VmSource): VmRunner {
  const runtime = new VmRuntime(loaded.config.vm, loaded.paths.stateDir);
  return new MicroVmRunner(runtime, source);
}

export const defaultEngineDeps: EngineDeps = { shell: sharedShellAnalyzer, vm: (loaded) => defaultVmRunner(loaded) };

/**
 * Loads configuration and commands from `cwd` and wires the real stages.
 *
 * @example
 * const ctx = await createFirebreak({ cwd: process.cwd() });
 * const outcome = await invoke(ctx, { kind: "command", name: "hello-world", args: [] }, { cwd: process.cwd() });
 */
export function createFirebreak(options: CreateContextOptions = {}, deps: Partial<EngineDeps> = {}): Promise<EngineContext> {
  return createContext(options, { ...defaultEngineDeps, ...deps });
}

export { loadConfig };
