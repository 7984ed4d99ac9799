import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { EngineContext } from "../engine/context.js";
import { registerBuiltinTools } from "./builtin-tools.js";
import { syncCommandTools } from "./command-tools.js";
import type { McpSource } from "./source.js";

export interface FirebreakMcpServer {
  mcp: McpServer;
  /** Stops following definition changes and closes the connection. */
  close(): Promise<void>;
}

/**
 * An MCP server over the engine: one tool per runnable command definition, plus `run_shell`, `plan` and
 * `list_commands`. Every call goes through `invoke`, the same path as `firebreak run`: the policy decides,
 * the audit log records. The tool list follows hot-reloaded definitions (`notifications/tools/list_changed`).
 *
 * @example
 * const { mcp } = await createMcpServer(source, version);
 * await mcp.connect(new StdioServerTransport());
 */
export async function createMcpServer(source: McpSource, version: string): Promise<FirebreakMcpServer> {
  const mcp = new McpServer(
    { name: "firebreak", version },
    {
      capabilities: { tools: { listChanged: true } },
      instructions:
        "firebreak runs shell commands where its policy says is safe (the host, a microVM) or refuses them with reasons. Prefer a command's own tool; use run_shell for anything else and plan to ask first.",
    },
  );
  registerBuiltinTools(mcp, source);
  let ctx: EngineContext = await source.context();
  const commandTools = syncCommandTools(mcp, source, ctx.registry.list(), new Map());
  let syncing = Promise.resolve();
  const unsubscribe = source.onDefinitionsChanged(() => {
    // One after the other: two reloads in a row must not register the same tool twice.
    syncing = syncing.then(async () => {
      ctx = await source.context();
      syncCommandTools(mcp, source, ctx.registry.list(), commandTools);
    }).catch(() => {});
  });
  return {
    mcp,
    close: async () => {
      unsubscribe();
      await mcp.close();
    },
  };
}
