import { z } from "zod";

export const STRATEGIES = ["first-available", "best-performance", "least-recently-used", "round-robin", "weighted-random"] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export const MAINTENANCE_OPS = ["health-check", "cleanup", "recycle", "snapshot-refresh", "rebalance", "full"] as const;
export type MaintenanceOp = (typeof MAINTENANCE_OPS)[number];

/** Per VM type pool sizing; `[pool]` gives the defaults, `[vm_types.<name>]` may override them. */
export const poolSizingSchema = {
  /** Ready VMs kept restored, reseeded and warmed for this type. */
  min_ready: z.number().int().nonnegative().optional(),
  /** Ready + in use + starting, never more. */
  max_total: z.number().int().positive().optional(),
  /** A ready VM older than this is replaced (recycle). */
  max_age_s: z.number().int().positive().optional(),
};

/**
 * `[pool]`: the daemon's prewarmed microVMs (`firebreak serve` only; in-process runs restore a VM per run).
 *
 * @example
 * [pool]
 * min_ready = 2
 * strategy = "best-performance"
 */
export const poolConfigSchema = z.strictObject({
  /** Keep a pool in `firebreak serve`. */
  enabled: z.boolean().default(true),
  strategy: z.enum(STRATEGIES).default("first-available"),
  /** VM types kept warm: "default" is the `[vm]` default shape; others are `[vm_types.<name>]`. */
  types: z.array(z.string().min(1)).default(["default"]),
  min_ready: z.number().int().nonnegative().default(1),
  max_total: z.number().int().positive().default(8),
  max_age_s: z.number().int().positive().default(1800),
  /** Ready VMs above min_ready (added by demand) are removed after this long without an allocation. */
  idle_s: z.number().int().positive().default(120),
  /** Recent demand (peak VMs in use) is measured over this window. */
  demand_window_s: z.number().int().positive().default(60),
  /** VMs running commands at once; default derived from host memory and CPUs. */
  max_concurrent: z.number().int().positive().optional(),
  /** A request waits this long for capacity before it is refused. */
  queue_timeout_ms: z.number().int().positive().default(120_000),
  /** Scheduled maintenance (`full`, without snapshot-refresh's collection unless due); 0 = only on demand. */
  maintenance_interval_s: z.number().int().nonnegative().default(60),
  /** Guest images kept by snapshot-refresh besides the current one. */
  keep_images: z.number().int().nonnegative().default(1),
  /** A ready VM whose probe takes longer than this counts as failed. */
  probe_timeout_ms: z.number().int().positive().default(2_000),
});

/**
 * `[alerts]`: thresholds evaluated every `interval_s` in the daemon; a firing alert is logged, audited, sent to the
 * notification hook's webhooks, and listed by `GET /v1/alerts` and `firebreak pool status` until it clears.
 */
export const alertsConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  interval_s: z.number().positive().default(10),
  /** Allocation latency p95 (over the demand window) above this fires `allocation_p95`. */
  allocation_p95_ms: z.number().positive().default(250),
  /** A type below its min_ready for this long fires `ready_below_min`. */
  ready_below_min_s: z.number().positive().default(60),
  /** VM failures / (allocations + failures) over the window above this fires `vm_failure_rate`. */
  failure_rate: z.number().min(0).max(1).default(0.2),
  /** Requests waiting for capacity above this fires `queue_depth`. */
  queue_depth: z.number().int().positive().default(10),
});

export type PoolConfig = z.infer<typeof poolConfigSchema>;
export type AlertsConfig = z.infer<typeof alertsConfigSchema>;
