import { randomUUID } from "node:crypto";
import type { AuditLog } from "../audit/log.js";
import type { LoadedConfig } from "../config/load.js";
import { deliver, normaliseWebhooks } from "../hooks/builtin/notification.js";
import { AlertMonitor } from "../vm/pool/alerts.js";
import { type MaintenanceDeps, PoolMaintenance } from "../vm/pool/maintenance.js";
import type { AlertView, PoolStatus } from "../vm/pool/status.js";
import { VmPool } from "../vm/pool/vm-pool.js";
import { VmRuntime } from "../vm/runtime.js";
import type { ServerMetrics } from "./metrics.js";

export interface DaemonPoolOptions {
  loaded: LoadedConfig;
  metrics: ServerMetrics;
  /** The daemon's own audit log (maintenance and alerts go on record). */
  audit: () => Promise<{ audit: AuditLog | null; user: string }>;
  maintenanceDeps: MaintenanceDeps;
  log: (line: string) => void;
}

/**
 * The pool as the daemon runs it: the VmPool with its metrics, the scheduled maintenance (audited), and the alert
 * monitor (logged, audited, sent to the notification hook's webhooks).
 */
export class DaemonPool {
  readonly pool: VmPool;
  readonly maintenance: PoolMaintenance;
  readonly alerts: AlertMonitor;

  constructor(private readonly options: DaemonPoolOptions) {
    const { loaded, metrics, log } = options;
    const config = loaded.config;
    const runtime = new VmRuntime(config.vm, loaded.paths.stateDir);
    this.pool = new VmPool(runtime, {
      config: config.pool,
      vmTypes: config.vm_types,
      observer: {
        allocated: (type, strategy, ms) => {
          metrics.poolAllocations.inc({ type, strategy });
          metrics.poolAllocate.observe({ type }, ms / 1000);
        },
        refilled: (type, started, ms) => {
          metrics.poolRefill.observe({ type }, ms / 1000);
          for (const [phase, at] of Object.entries(started.phases) as [string, number][]) metrics.bootPhase.observe({ kind: "restore", phase }, at / 1000);
        },
        failed: (type, cause) => metrics.poolFailures.inc({ type, cause }),
        log,
      },
    });
    this.maintenance = new PoolMaintenance(this.pool, options.maintenanceDeps, (report) => {
      metrics.poolMaintenance.inc({ op: report.op, ok: String(report.ok) });
      void this.record("maintenance", `pool maintenance ${report.op}: ${report.ok ? "ok" : `failed: ${report.error}`}`, { maintenance: report });
    });
    this.alerts = new AlertMonitor(this.pool, config.alerts, (alert) => this.onAlert(alert));
    this.collectGauges();
  }

  /** Fills the pool and starts scheduled maintenance and the alerts (the start-up cleanup ran before). */
  start(): void {
    this.pool.start();
    this.maintenance.schedule(this.pool.config.maintenance_interval_s);
    this.alerts.start();
  }

  status(): PoolStatus {
    return { ...this.pool.status(), alerts: this.alerts.active(), maintenance: { last: this.maintenance.last(), interval_s: this.pool.config.maintenance_interval_s } };
  }

  async stop(): Promise<void> {
    this.alerts.stop();
    this.maintenance.stop();
    await this.pool.stop();
  }

  private onAlert(alert: AlertView): void {
    const { metrics, log, loaded } = this.options;
    metrics.alertsFiring.set({ name: alert.name }, this.alerts.active().filter((a) => a.name === alert.name).length);
    log(`firebreak serve: alert ${alert.name} ${alert.state}: ${alert.message}`);
    void this.record("alert", `alert ${alert.name} ${alert.state}: ${alert.message}`, { alert });
    const notification = loaded.config.hooks.notification;
    const body = JSON.stringify({ hook_event_name: "Alert", alert });
    for (const hook of normaliseWebhooks(notification)) {
      void deliver(hook, body, { requestTimeoutMs: notification.request_timeout_ms, retries: notification.retries, backoffMs: notification.backoff_ms });
    }
  }

  private async record(kind: "maintenance" | "alert", reason: string, extra: Record<string, unknown>): Promise<void> {
    try {
      const { audit, user } = await this.options.audit();
      await audit?.append({ kind, id: randomUUID(), user, role: "", command: null, definition_sha256: null, parameters: {}, rendered: null, placement: "none", risk: "low", reasons: [reason], extra });
    } catch (error) {
      this.options.log(`firebreak serve: could not audit ${kind}: ${(error as Error).message}`);
    }
  }

  /** The ready / in use / starting / queued gauges are read from the pool when /metrics is scraped. */
  private collectGauges(): void {
    const gauge = this.options.metrics.poolVms;
    const pool = this.pool;
    (gauge as unknown as { collect?: () => void }).collect = () => {
      gauge.reset();
      for (const t of pool.types) {
        gauge.set({ type: t.name, state: "ready" }, t.ready.length);
        gauge.set({ type: t.name, state: "in_use" }, t.inUse);
        gauge.set({ type: t.name, state: "starting" }, t.starting);
        gauge.set({ type: t.name, state: "queued" }, t.waiting);
      }
    };
  }
}
