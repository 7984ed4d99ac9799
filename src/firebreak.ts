/**
 * The composition root: the one place that wires the real stages together (tree-sitter shell analyzer,
 * QEMU/Firecracker runtime) into an engine context. The CLI, the server and tests build contexts here or
 * pass their own dependencies to `createContext`.
 */
import { type LoadedConfig, loadConfig } from "./config/load.js";
import { type CreateContextOptions, createContext, type EngineContext, type EngineDeps, type ShellAnalyzer } from "./engine/context.js";
import type { ResourceLimits } from "./commands/types.js";
import type { VmTypeConfig } from "./vm/config-schema.js";
import type { VmRunner, VmRunOutcome, VmRunRequest } from "./vm/run-request.js";
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
  return new LazyVmRunner(async () => {
    const [{ VmRuntime }, { MicroVmRunner }] = await Promise.all([import("./vm/runtime.js"), import("./vm/runner.js")]);
    return new MicroVmRunner(new VmRuntime(loaded.config.vm, loaded.paths.stateDir), source);
  });
}

/**
 * A VM runner whose code (QEMU and Firecracker backends, agent client, image builder) loads when a decision first
 * needs a VM: a command that runs on the host, the common case for a short CLI call, does not pay for it.
 */
export class LazyVmRunner implements VmRunner {
  private runner: Promise<VmRunner> | undefined;

  constructor(private readonly load: () => Promise<VmRunner>) {}

  private loaded(): Promise<VmRunner> {
    this.runner ??= this.load().catch((error: unknown) => {
      this.runner = undefined; // a later decision may retry
      throw error;
    });
    return this.runner;
  }

  async availability(): Promise<{ available: boolean; reason: string; backend?: string }> {
    return (await this.loaded()).availability();
  }

  async fitProblem(limits: ResourceLimits | undefined, vmType?: VmTypeConfig): Promise<string | undefined> {
    return (await this.loaded()).fitProblem?.(limits, vmType);
  }

  async run(request: VmRunRequest): Promise<VmRunOutcome> {
    return (await this.loaded()).run(request);
  }
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
