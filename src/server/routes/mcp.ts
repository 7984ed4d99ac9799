import fs from "node:fs";
import path from "node:path";
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { UsageError } from "../../errors.js";
import { mcpHttpEndpoint } from "../../mcp/http.js";
import type { McpSource } from "../../mcp/source.js";
import { errorResponse } from "../errors.js";
import { ErrorSchema } from "../schemas.js";
import { ERROR_RESPONSES, json } from "./responses.js";
import type { FirebreakService } from "../service.js";

/**
 * `/mcp`: the MCP Streamable HTTP transport (POST, GET for the server's stream, DELETE to end a session). A
 * session serves the project of `?cwd=/abs/dir` (default: the daemon's working directory), with the daemon's
 * warm context, hot reload and shutdown; `?role=` is not offered: the role is the configuration's default.
 */
export function registerMcpRoute(app: OpenAPIHono, service: FirebreakService): void {
  documentMcpRoute(app);
  const endpoint = mcpHttpEndpoint(async (request) => sourceFor(service, request), service.options.version);
  app.all("/mcp", async (c) => {
    try {
      if (!service.accepting) return c.json({ error: { code: "stopping", message: "firebreak serve is stopping", exit_code: 1 } }, 503);
      return await endpoint.handle(c.req.raw);
    } catch (error) {
      return errorResponse(c, error);
    }
  });
}

/** JSON-RPC 2.0 messages, as the MCP specification defines them; the transport checks them, not zod. */
const JsonRpcMessage = z.object({ jsonrpc: z.literal("2.0"), id: z.union([z.string(), z.number()]).optional(), method: z.string().optional() }).passthrough();
const JsonRpcError = z.object({ jsonrpc: z.literal("2.0"), id: z.union([z.string(), z.number()]).nullable(), error: z.object({ code: z.number().int(), message: z.string() }) });
const mcpParameters = {
  query: z.object({ cwd: z.string().optional().openapi({ description: "The project a new session serves: an absolute directory (default: the daemon's working directory)" }) }),
  headers: z.object({
    "mcp-session-id": z.string().optional().openapi({ description: "The session, from the initialize response's Mcp-Session-Id header (absent only on initialize)" }),
    "mcp-protocol-version": z.string().optional().openapi({ description: "The negotiated MCP protocol version" }),
  }),
};
// A session's own errors are JSON-RPC errors; opening one (a bad `?cwd=`, a project configuration that does not load)
// fails with the API's usual error document, as every other route does.
const sessionErrors = {
  400: json(z.union([JsonRpcError, ErrorSchema]), "No session and not an initialize request, or a malformed message (JSON-RPC error); a bad ?cwd= (error document)"),
  404: json(JsonRpcError, "A JSON-RPC error: the session is unknown (closed, or the daemon restarted)"),
  422: ERROR_RESPONSES[422],
  503: json(ErrorSchema, "The daemon is stopping"),
};

/**
 * Puts `/mcp` in the OpenAPI document. The transport, not zod, reads these requests (JSON-RPC batches, SSE
 * streams), so the route is documented beside its handler rather than declared with `app.openapi`.
 */
function documentMcpRoute(app: OpenAPIHono): void {
  const tags = ["MCP (Streamable HTTP transport)"];
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/mcp",
    tags,
    summary: "Send MCP JSON-RPC messages (initialize first: its response carries Mcp-Session-Id)",
    request: { ...mcpParameters, body: { required: true, content: { "application/json": { schema: z.union([JsonRpcMessage, z.array(JsonRpcMessage)]) } } } },
    responses: {
      200: {
        description: "The responses: one JSON document, or an SSE stream (progress notifications, elicitations, then the result)",
        content: { "application/json": { schema: z.union([JsonRpcMessage, z.array(JsonRpcMessage)]) }, "text/event-stream": { schema: z.string() } },
      },
      202: { description: "Accepted: the request held only notifications or responses" },
      ...sessionErrors,
    },
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/mcp",
    tags,
    summary: "Open the session's server-to-client stream (notifications/tools/list_changed)",
    request: mcpParameters,
    responses: { 200: { description: "An SSE stream of JSON-RPC messages", content: { "text/event-stream": { schema: z.string() } } }, ...sessionErrors },
  });
  app.openAPIRegistry.registerPath({
    method: "delete",
    path: "/mcp",
    tags,
    summary: "End the session",
    request: mcpParameters,
    responses: { 200: { description: "The session is closed" }, ...sessionErrors },
  });
}

async function sourceFor(service: FirebreakService, request: Request): Promise<McpSource> {
  const cwd = new URL(request.url).searchParams.get("cwd") ?? service.options.defaultCwd;
  if (!path.isAbsolute(cwd) || !fs.statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`/mcp?cwd= needs an absolute path to a directory, got '${cwd}'`);
  }
  // Resolved now so a broken or untrusted configuration fails the initialize, with the CLI's message.
  await service.context(cwd);
  return {
    context: () => service.context(cwd),
    cwd,
    env: service.options.env,
    onDefinitionsChanged: (listener) => service.onDefinitionsChanged(listener),
    track: (signal, work) => service.track(signal, work),
  };
}
