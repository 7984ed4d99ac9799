import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { PoolError } from "../../errors.js";
import { MAINTENANCE_OPS } from "../../vm/pool/config-schema.js";
import { measureAllocation, readyPssMb } from "../../vm/pool/measure.js";
import { DEFAULT_TYPE } from "../../vm/pool/pool-type.js";
import { errorResponse } from "../errors.js";
import type { DaemonPool } from "../pool.js";
import { ErrorSchema } from "../schemas.js";
import type { FirebreakService } from "../service.js";
import { ERROR_RESPONSES, json } from "./responses.js";

const Percentiles = z.object({ p50: z.number(), p90: z.number(), p95: z.number(), p99: z.number() }).nullable();

const AlertSchema = z
  .object({ name: z.string(), state: z.enum(["firing", "cleared"]), since: z.string(), message: z.string(), value: z.number(), threshold: z.number(), type: z.string().optional() })
  .openapi("Alert");

const MaintenanceReportSchema = z
  .object({ op: z.string(), at: z.string(), duration_ms: z.number(), ok: z.boolean(), details: z.record(z.string(), z.unknown()), error: z.string().optional() })
  .openapi("MaintenanceReport");

const PoolStatusSchema = z
  .object({
    enabled: z.boolean(),
    strategy: z.string(),
    capacity: z.object({ max_concurrent: z.number().int(), in_use: z.number().int(), queued: z.number().int() }),
    types: z.array(
      z.object({
        name: z.string(),
        shape: z.object({ vcpus: z.number(), memory_mb: z.number(), disk_mb: z.number().nullable(), network: z.boolean() }),
        min_ready: z.number().int(),
        max_total: z.number().int(),
        max_age_s: z.number().int(),
        target_ready: z.number().int(),
        ready: z.number().int(),
        in_use: z.number().int(),
        starting: z.number().int(),
        queued: z.number().int(),
        allocations: z.number().int(),
        failures_recent: z.number().int(),
        allocate_ms: Percentiles,
        refill_ms: Percentiles,
        last_start_phases_ms: z.record(z.string(), z.number()).nullable(),
        ready_vms: z.array(z.object({ id: z.string(), pid: z.number().nullable(), age_s: z.number(), restore_ms: z.number(), warm_ms: z.number(), probe_ms: z.number() })),
      }),
    ),
    alerts: z.array(AlertSchema),
    maintenance: z.object({ last: z.array(MaintenanceReportSchema), interval_s: z.number() }),
  })
  .openapi("PoolStatus");

const NO_POOL = { 503: json(ErrorSchema, "This daemon keeps no pool ([pool] enabled = false, or no VM backend)") };

const status = createRoute({
  method: "get",
  path: "/v1/pool",
  summary: "The VM pool: ready, in use, starting and queued per VM type, allocation latency, alerts, last maintenance",
  responses: { 200: json(PoolStatusSchema, "Pool status"), ...NO_POOL },
});

const warm = createRoute({
  method: "post",
  path: "/v1/pool/warm",
  summary: "Add ready VMs to a type now (within its max_total); answers when they are ready",
  request: { body: { content: { "application/json": { schema: z.object({ type: z.string().default(DEFAULT_TYPE), n: z.number().int().min(1).max(256).default(1) }) } }, required: false } },
  responses: { 200: json(z.object({ type: z.string(), started: z.number().int(), failed: z.number().int() }), "What was started"), ...NO_POOL, ...ERROR_RESPONSES },
});

const maintain = createRoute({
  method: "post",
  path: "/v1/pool/maintain",
  summary: "Run a maintenance operation now (full = the five others in order); each is audited",
  request: { body: { content: { "application/json": { schema: z.object({ op: z.enum(MAINTENANCE_OPS) }) } }, required: true } },
  responses: { 200: json(z.object({ reports: z.array(MaintenanceReportSchema) }), "One report per operation run"), ...NO_POOL, ...ERROR_RESPONSES },
});

const bench = createRoute({
  method: "post",
  path: "/v1/pool/bench",
  summary: "Measure allocation from the warm pool (request to a command started in the guest) and ready VMs' memory (PSS)",
  request: { body: { content: { "application/json": { schema: z.object({ type: z.string().default(DEFAULT_TYPE), samples: z.number().int().min(0).max(1000).default(20) }) } }, required: false } },
  responses: {
    200: json(z.object({ type: z.string(), samples: z.number().int(), acquire_ms: Percentiles, allocate_ms: Percentiles, run_ms: Percentiles, ready_pss_mb: z.array(z.object({ type: z.string(), pid: z.number(), pss_mb: z.number() })) }), "Measurements"),
    ...NO_POOL,
    ...ERROR_RESPONSES,
  },
});

const alerts = createRoute({
  method: "get",
  path: "/v1/alerts",
  summary: "Alerts firing now",
  responses: { 200: json(z.object({ alerts: z.array(AlertSchema) }), "Firing alerts"), ...NO_POOL },
});

/** The VM pool: status, warm-up, maintenance, measurements, alerts. */
export function registerPoolRoutes(app: OpenAPIHono, service: FirebreakService): void {
  const pool = (): DaemonPool => {
    if (!service.pool) throw new PoolError(`this daemon keeps no VM pool: ${service.poolAbsence ?? "[pool] enabled = false"}`);
    return service.pool;
  };

  app.openapi(status, async (c) => {
    try {
      return c.json(pool().status(), 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });

  app.openapi(warm, async (c) => {
    try {
      const body = c.req.valid("json") ?? { type: DEFAULT_TYPE, n: 1 };
      return c.json(await pool().pool.warm(body.type, body.n), 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });

  app.openapi(maintain, async (c) => {
    try {
      return c.json({ reports: await pool().maintenance.run(c.req.valid("json").op) }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });

  app.openapi(bench, async (c) => {
    try {
      const body = c.req.valid("json") ?? { type: DEFAULT_TYPE, samples: 20 };
      const daemonPool = pool();
      const measured = await measureAllocation(daemonPool.pool, body.type, body.samples);
      return c.json({ ...measured, ready_pss_mb: await readyPssMb(daemonPool.pool, { refillWaitMs: 30_000 }) }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });

  app.openapi(alerts, async (c) => {
    try {
      return c.json({ alerts: pool().alerts.active() }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });
}
