import type { Command } from "commander";
import { createContext, type CreateContextOptions, type EngineContext } from "../engine/context.js";
import type { Output } from "./output.js";

/** What every CLI sub-command needs; tests pass their own. */
export interface CliDeps {
  output: Output;
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** Builds the engine context once per process, honouring the global --config option. */
  context(program: Command): Promise<EngineContext>;
  /** Extra context options (e.g. a VM runner) — set by main, overridable in tests. */
  contextOptions?: Partial<CreateContextOptions>;
}

export function contextFactory(base: Omit<CliDeps, "context">): CliDeps["context"] {
  let ctx: Promise<EngineContext> | undefined;
  return (program) => {
    const opts = program.opts<{ config?: string }>();
    ctx ??= createContext({
      cwd: base.cwd,
      env: base.env,
      configFile: opts.config,
      io: { stdout: (c) => process.stdout.write(c), stderr: (c) => process.stderr.write(c) },
      ...base.contextOptions,
    });
    return ctx;
  };
}
