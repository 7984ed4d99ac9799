import type { AlertsConfig } from "./config-schema.js";
import { percentile } from "./sample-window.js";
import type { AlertView } from "./status.js";
import type { VmPool } from "./vm-pool.js";

/** Failures and allocations below this count in the window are too few to call a rate. */
const MIN_EVENTS_FOR_RATE = 3;

/** One condition as measured now. */
export interface AlertReading {
  name: string;
  type?: string;
  value: number;
  threshold: number;
  firing: boolean;
  message: string;
}

/**
 * The pool's alert conditions, measured from its live state (pure: no side effects).
 *
 * - `allocation_p95` per type: allocation latency p95 over the demand window above `allocation_p95_ms`;
 * - `ready_below_min` per type: fewer ready than `min_ready` for `ready_below_min_s`;
 * - `vm_failure_rate` per type: failures / (allocations + failures) in the window above `failure_rate`;
 * - `queue_depth`: requests waiting for capacity above `queue_depth`.
 */
export function readAlerts(pool: VmPool, config: AlertsConfig, now: number): AlertReading[] {
  const out: AlertReading[] = [];
  for (const t of pool.types) {
    const p95 = percentile(t.allocateMs.values(), 95) ?? 0;
    out.push({ name: "allocation_p95", type: t.name, value: round(p95), threshold: config.allocation_p95_ms, firing: p95 > config.allocation_p95_ms, message: `allocation p95 of ${t.name} is ${round(p95)} ms (threshold ${config.allocation_p95_ms} ms)` });
    const belowS = t.belowMinSince === undefined ? 0 : (now - t.belowMinSince) / 1000;
    out.push({ name: "ready_below_min", type: t.name, value: round(belowS), threshold: config.ready_below_min_s, firing: belowS >= config.ready_below_min_s, message: `${t.name} has ${t.ready.length} ready of min_ready ${t.minReady} for ${Math.round(belowS)} s` });
    const failures = t.failures.count();
    const events = failures + t.allocateMs.count();
    const rate = events >= MIN_EVENTS_FOR_RATE ? failures / events : 0;
    out.push({ name: "vm_failure_rate", type: t.name, value: round(rate), threshold: config.failure_rate, firing: rate > config.failure_rate, message: `${t.name}: ${failures} VM failure(s) in ${events} start/allocation event(s) (rate ${round(rate)}, threshold ${config.failure_rate})` });
  }
  const queued = pool.admission.queued;
  out.push({ name: "queue_depth", value: queued, threshold: config.queue_depth, firing: queued > config.queue_depth, message: `${queued} request(s) waiting for microVM capacity (threshold ${config.queue_depth})` });
  return out;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** What happens when an alert starts or stops firing (the daemon: log, audit, webhooks). */
export type AlertSink = (alert: AlertView) => void;

/**
 * Evaluates the alert conditions every `interval_s` and reports transitions: a condition that starts firing is sent
 * once as `firing`, and once as `cleared` when it stops. `active()` lists what fires now.
 *
 * @example
 * const alerts = new AlertMonitor(pool, config.alerts, (a) => log(`${a.state}: ${a.message}`));
 * alerts.start();
 */
export class AlertMonitor {
  private readonly firing = new Map<string, AlertView>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: VmPool,
    private readonly config: AlertsConfig,
    private readonly sink: AlertSink,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    if (!this.config.enabled) return;
    this.timer = setInterval(() => this.evaluate(), this.config.interval_s * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One evaluation; returns the transitions it reported. */
  evaluate(): AlertView[] {
    const now = this.now();
    const transitions: AlertView[] = [];
    for (const reading of readAlerts(this.pool, this.config, now)) {
      const key = reading.type ? `${reading.name}:${reading.type}` : reading.name;
      const current = this.firing.get(key);
      if (reading.firing && !current) {
        const alert: AlertView = { name: reading.name, state: "firing", since: new Date(now).toISOString(), message: reading.message, value: reading.value, threshold: reading.threshold, ...(reading.type ? { type: reading.type } : {}) };
        this.firing.set(key, alert);
        transitions.push(alert);
      } else if (reading.firing && current) {
        current.value = reading.value;
        current.message = reading.message;
      } else if (!reading.firing && current) {
        this.firing.delete(key);
        transitions.push({ ...current, state: "cleared", message: reading.message, value: reading.value });
      }
    }
    for (const t of transitions) this.sink(t);
    return transitions;
  }

  active(): AlertView[] {
    return [...this.firing.values()];
  }
}
