import type { Command } from "commander";
import type { CreateContextOptions, EngineContext, EngineDeps } from "../engine/context.js";
import { createFirebreak } from "../firebreak.js";
import type { Output } from "./output.js";

/** What every CLI sub-command needs; tests pass their own. */
export interface CliDeps {
  output: Output;
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** Builds the engine context once per process, honouring the global --config option. */
  context(program: Command): Promise<EngineContext>;
  /** Sub-commands report their exit status here; only the entry point turns it into the process's. */
  setExitStatus(status: number): void;
  /** Aborted when firebreak is asked to stop (Ctrl-C, SIGTERM): a running command is cancelled and audited. */
  signal?: AbortSignal;
  /** Extra context options and engine dependencies (e.g. a VM runner) — overridable in tests. */
  contextOptions?: Partial<CreateContextOptions>;
  engineDeps?: Partial<EngineDeps>;
}

export function contextFactory(base: Omit<CliDeps, "context">): CliDeps["context"] {
  let ctx: Promise<EngineContext> | undefined;
  return (program) => {
    const opts = program.opts<{ config?: string }>();
    ctx ??= createFirebreak({ cwd: base.cwd, env: base.env, configFile: opts.config, ...base.contextOptions }, base.engineDeps);
    return ctx;
  };
}
