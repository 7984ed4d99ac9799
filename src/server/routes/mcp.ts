import fs from "node:fs";
import path from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { UsageError } from "../../errors.js";
import { mcpHttpEndpoint } from "../../mcp/http.js";
import type { McpSource } from "../../mcp/source.js";
import { errorResponse } from "../errors.js";
import type { FirebreakService } from "../service.js";

/**
 * `/mcp`: the MCP Streamable HTTP transport (POST, GET for the server's stream, DELETE to end a session). A
 * session serves the project of `?cwd=/abs/dir` (default: the daemon's working directory), with the daemon's
 * warm context, hot reload and shutdown; `?role=` is not offered: the role is the configuration's default.
 */
export function registerMcpRoute(app: OpenAPIHono, service: FirebreakService): void {
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
