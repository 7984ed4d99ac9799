import { timingSafeEqual } from "node:crypto";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { errorResponse, validationError } from "./errors.js";
import { registerCatalogRoutes } from "./routes/catalog.js";
import { registerChangesRoutes } from "./routes/changes.js";
import { registerClaudeRoutes } from "./routes/claude.js";
import { registerCliRoute } from "./routes/cli.js";
import { registerMcpRoute } from "./routes/mcp.js";
import { registerPoolRoutes } from "./routes/pool.js";
import { registerRunRoutes } from "./routes/runs.js";
import type { FirebreakService } from "./service.js";

export interface AppOptions {
  /** When set, every request but `/healthz` needs `Authorization: Bearer <token>` (TCP listeners). */
  token?: string;
}

const health = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Liveness: status, version, uptime",
  responses: {
    200: {
      description: "The daemon answers",
      content: { "application/json": { schema: z.object({ status: z.literal("ok"), version: z.string(), uptime_s: z.number(), pid: z.number().int(), in_flight: z.number().int(), accepting: z.boolean() }) } },
    },
  },
});

const metrics = createRoute({
  method: "get",
  path: "/metrics",
  summary: "Prometheus metrics (text exposition format), all named firebreak_…",
  responses: { 200: { description: "Metrics", content: { "text/plain": { schema: z.string() } } } },
});

/**
 * The HTTP API as a Hono app: testable with `app.request()` without a socket.
 *
 * @example
 * const app = createApp(new FirebreakService({ env: process.env, version, defaultCwd: process.cwd() }));
 * const res = await app.request("/v1/policy/check", { method: "POST", body: JSON.stringify({ line: "ls", cwd: "/tmp" }), headers: { "content-type": "application/json" } });
 */
export function createApp(service: FirebreakService, options: AppOptions = {}): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return validationError(c, result.target === "json" ? "body" : result.target === "param" ? "path" : "query", result.error.issues);
    },
  });

  app.use("*", async (c, next) => {
    await next();
    service.metrics.http.inc({ method: c.req.method, route: c.req.routePath, status: String(c.res.status) });
  });
  if (options.token) {
    const expected = Buffer.from(`Bearer ${options.token}`);
    app.use("*", async (c, next) => {
      if (c.req.path === "/healthz") return next();
      const given = Buffer.from(c.req.header("authorization") ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return c.json({ error: { code: "unauthorized", message: "this listener needs 'Authorization: Bearer <token>' (see the token file under the state dir)", exit_code: 1 } }, 401);
      }
      return next();
    });
  }

  app.openapi(health, (c) =>
    c.json({ status: "ok" as const, version: service.options.version, uptime_s: Math.round((Date.now() - service.startedAt) / 100) / 10, pid: process.pid, in_flight: service.inFlight, accepting: service.accepting }, 200),
  );
  app.openapi(metrics, async (c) => c.text(await service.metrics.registry.metrics(), 200, { "content-type": service.metrics.registry.contentType }));
  registerRunRoutes(app, service);
  registerChangesRoutes(app, service);
  registerCatalogRoutes(app, service);
  registerClaudeRoutes(app, service);
  registerMcpRoute(app, service);
  registerPoolRoutes(app, service);
  registerCliRoute(app);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "firebreak", version: service.options.version, description: "Runs every command where it is safe to run it: the engine as a service (plan, run, policy check, commands, audit, metrics)." },
  });
  app.notFound((c) => c.json({ error: { code: "not_found", message: `no such endpoint: ${c.req.method} ${c.req.path} (see /openapi.json)`, exit_code: 2 } }, 404));
  app.onError((error, c) => {
    // Hono's own 4xx (a body that is not JSON, a wrong content type) keep their status.
    if (error instanceof HTTPException && error.status < 500) {
      return c.json({ error: { code: "usage", message: `invalid request: ${error.message}`, exit_code: 2 } }, error.status);
    }
    return errorResponse(c, error);
  });
  return app;
}
