import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { watchRegistry } from "../commands/watch.js";
import type { EngineContext } from "../engine/context.js";
import { createMcpServer } from "./server.js";

export interface StdioOptions {
  ctx: EngineContext;
  cwd: string;
  env: NodeJS.ProcessEnv;
  role?: string;
  version: string;
  /** Aborted when firebreak is asked to stop (SIGTERM, Ctrl-C). */
  signal?: AbortSignal;
  log: (line: string) => void;
}

/**
 * `firebreak mcp`: an MCP server on stdin/stdout until the client closes stdin (or a signal). stdout carries
 * only protocol messages; notes go to stderr. Runs still going when the client leaves are cancelled (killed,
 * audited as cancelled): nothing outlives the session.
 */
export async function serveMcpStdio(options: StdioOptions): Promise<void> {
  const { ctx } = options;
  const listeners = new Set<() => void>();
  const watcher = watchRegistry(ctx.registry, (_report, file) => {
    options.log(`firebreak mcp: reloaded ${file}`);
    for (const l of listeners) l();
  });
  await watcher.ready;
  const running = new AbortController();
  const server = await createMcpServer(
    {
      context: async () => ctx,
      cwd: options.cwd,
      env: options.env,
      role: options.role,
      onDefinitionsChanged: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      // The session's end cancels what still runs.
      track: (signal, work) => work(AbortSignal.any([signal, running.signal])),
    },
    options.version,
  );
  const transport = new StdioServerTransport();
  const ended = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
    process.stdin.once("close", () => resolve());
    options.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  await server.mcp.connect(transport);
  options.log(`firebreak mcp: serving ${ctx.registry.list().length} command(s) from ${options.cwd} over stdio`);
  await ended;
  running.abort(new Error("the MCP client went away"));
  await watcher.close();
  await server.close();
  process.stdin.destroy();
}
