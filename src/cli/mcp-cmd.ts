import { Command } from "commander";
import type { CliDeps } from "./deps.js";
import { VERSION } from "./version.js";

/** `firebreak mcp`: the engine as an MCP server over stdio (for Claude Code and other MCP clients). */
export function mcpCommand(deps: CliDeps): Command {
  return new Command("mcp")
    .description("serve MCP over stdio: a tool per command, run_shell, plan, list_commands (all through the policy)")
    .option("--role <role>", "the role every tool call runs as (default: the configured default role)")
    .action(async (opts: { role?: string }, self: Command) => {
      const ctx = await deps.context(self.parent!);
      // Loaded only for `firebreak mcp`: the SDK stays out of every other command's start-up.
      const { serveMcpStdio } = await import("../mcp/stdio.js");
      await serveMcpStdio({ ctx, cwd: deps.cwd, env: deps.env, role: opts.role, version: VERSION, signal: deps.signal, log: (line) => deps.output.err(line) });
    });
}
