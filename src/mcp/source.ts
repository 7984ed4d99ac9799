import type { EngineContext } from "../engine/context.js";

/**
 * Where an MCP server gets its engine from: `firebreak mcp` holds one context, the daemon one per project
 * (rebuilt when its configuration changes). Either way definitions hot-reload and the tool list follows.
 */
export interface McpSource {
  context(): Promise<EngineContext>;
  /** The working directory commands run in and configuration is resolved from. */
  cwd: string;
  /** The environment commands' own is filtered from. */
  env: NodeJS.ProcessEnv;
  /** The role every call runs as; chosen by whoever starts the server, never by the client. */
  role?: string;
  /** Calls `listener` after a command definition was added, changed or removed; returns the unsubscribe. */
  onDefinitionsChanged(listener: () => void): () => void;
  /** Runs one invocation as in-flight work (the daemon cancels it on shutdown); default: runs it. */
  track?<T>(signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
}
