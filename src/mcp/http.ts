import { randomUUID } from "node:crypto";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { createMcpServer, type FirebreakMcpServer } from "./server.js";
import type { McpSource } from "./source.js";

/** Sessions one daemon keeps at once; the oldest is closed first. */
export const MAX_MCP_SESSIONS = 64;

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: FirebreakMcpServer;
}

export interface McpHttpEndpoint {
  handle(request: Request): Promise<Response>;
  /** Closes every session (daemon shutdown). */
  close(): Promise<void>;
}

/**
 * The Streamable HTTP transport for the daemon's `/mcp`: stateful sessions (the `Mcp-Session-Id` header), so a
 * session can receive `notifications/tools/list_changed` and answer elicitations in the middle of a call.
 * `sourceFor` gives a new session its engine (the daemon resolves the project from `?cwd=`).
 */
export function mcpHttpEndpoint(sourceFor: (request: Request) => Promise<McpSource>, version: string): McpHttpEndpoint {
  const sessions = new Map<string, Session>();
  const closeSession = async (id: string) => {
    const s = sessions.get(id);
    sessions.delete(id);
    await s?.server.close();
  };
  return {
    async handle(request) {
      const id = request.headers.get("mcp-session-id");
      if (id) {
        const session = sessions.get(id);
        if (!session) return jsonRpcError(404, -32001, "Session not found: start a new one with initialize");
        return session.transport.handleRequest(request);
      }
      if (request.method !== "POST") return jsonRpcError(400, -32000, "Bad Request: no Mcp-Session-Id; POST an initialize request first");
      const source = await sourceFor(request);
      const server = await createMcpServer(source, version);
      const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => {
          sessions.set(sid, { transport, server });
          while (sessions.size > MAX_MCP_SESSIONS) void closeSession(sessions.keys().next().value!);
        },
        onsessionclosed: (sid) => closeSession(sid),
      });
      await server.mcp.connect(transport);
      const response = await transport.handleRequest(request);
      // Anything but an initialize leaves no session behind.
      if (!transport.sessionId) await server.close();
      return response;
    },
    async close() {
      await Promise.all([...sessions.keys()].map(closeSession));
    },
  };
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }), { status, headers: { "content-type": "application/json" } });
}
