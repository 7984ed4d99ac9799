import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { AuditLog } from "../audit/log.js";
import type { EngineEvent } from "../engine/events.js";

const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const DURATION_BUCKETS_S = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * The daemon's Prometheus metrics (`GET /metrics`), all named `firebreak_…`: invocations by placement
 * and outcome, decision latency, run duration, hook durations, VM phase timings, audit append latency,
 * HTTP requests, and the process's own metrics.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly invocations = new Counter({ name: "firebreak_invocations_total", help: "Invocations by placement (local, vm, denied) and outcome (completed, refused, cancelled, failed, planned).", labelNames: ["placement", "outcome"], registers: [this.registry] });
  readonly decision = new Histogram({ name: "firebreak_decision_seconds", help: "Time to plan one invocation: resolve, bind, render, policy pipeline.", buckets: LATENCY_BUCKETS_S, registers: [this.registry] });
  readonly runDuration = new Histogram({ name: "firebreak_run_duration_seconds", help: "Duration of executed commands, by placement.", labelNames: ["placement"], buckets: DURATION_BUCKETS_S, registers: [this.registry] });
  readonly hookDuration = new Histogram({ name: "firebreak_hook_duration_seconds", help: "Duration of each hook run, by hook and phase.", labelNames: ["hook", "phase"], buckets: LATENCY_BUCKETS_S, registers: [this.registry] });
  readonly vmPhase = new Histogram({ name: "firebreak_vm_phase_seconds", help: "microVM boot/restore phases, time since the VM was asked for.", labelNames: ["phase"], buckets: DURATION_BUCKETS_S, registers: [this.registry] });
  readonly auditAppend = new Histogram({ name: "firebreak_audit_append_seconds", help: "Time to append one audit record (lock, chain, fsync).", buckets: LATENCY_BUCKETS_S, registers: [this.registry] });
  readonly policyChecks = new Counter({ name: "firebreak_policy_checks_total", help: "Shell lines decided by policy check, by placement.", labelNames: ["placement"], registers: [this.registry] });
  readonly inFlight = new Gauge({ name: "firebreak_runs_in_flight", help: "Invocations executing now.", registers: [this.registry] });
  readonly http = new Counter({ name: "firebreak_http_requests_total", help: "HTTP API requests by method, route and status.", labelNames: ["method", "route", "status"], registers: [this.registry] });

  readonly poolVms = new Gauge({ name: "firebreak_pool_vms", help: "Pooled microVMs by type and state (ready, in_use, starting, queued).", labelNames: ["type", "state"], registers: [this.registry] });
  readonly poolAllocations = new Counter({ name: "firebreak_pool_allocations_total", help: "VMs lent to invocations, by type and allocation strategy.", labelNames: ["type", "strategy"], registers: [this.registry] });
  readonly poolAllocate = new Histogram({ name: "firebreak_pool_allocate_seconds", help: "From a request to a ready VM with its agent answering, by type.", labelNames: ["type"], buckets: LATENCY_BUCKETS_S, registers: [this.registry] });
  readonly poolRefill = new Histogram({ name: "firebreak_pool_refill_seconds", help: "Time to make one ready VM (restore, reseed, warm-up), by type.", labelNames: ["type"], buckets: DURATION_BUCKETS_S, registers: [this.registry] });
  readonly poolFailures = new Counter({ name: "firebreak_pool_vm_failures_total", help: "Pooled VM failures by type and cause.", labelNames: ["type", "cause"], registers: [this.registry] });
  readonly poolMaintenance = new Counter({ name: "firebreak_pool_maintenance_runs_total", help: "Maintenance operations run, by operation and result.", labelNames: ["op", "ok"], registers: [this.registry] });
  readonly bootPhase = new Histogram({ name: "firebreak_vm_boot_phase_seconds", help: "Boot and restore phases of every VM the daemon made (ms since spawn), by kind and phase.", labelNames: ["kind", "phase"], buckets: DURATION_BUCKETS_S, registers: [this.registry] });
  readonly alertsFiring = new Gauge({ name: "firebreak_alerts_firing", help: "Alerts firing now, by name.", labelNames: ["name"], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "firebreak_" });
  }

  /** Feeds one invocation's events into the metrics. */
  observeEvent(event: EngineEvent): void {
    if (event.type === "hook") {
      for (const r of event.records as { name?: string; durationMs?: number }[]) {
        if (typeof r.durationMs === "number") this.hookDuration.observe({ hook: r.name ?? "unknown", phase: event.phase }, r.durationMs / 1000);
      }
    } else if (event.type === "vm_phase") {
      this.vmPhase.observe({ phase: event.phase }, event.ms / 1000);
    } else if (event.type === "result") {
      this.runDuration.observe({ placement: event.result.placement }, event.result.durationMs / 1000);
    }
  }

  /** Times every append of this audit log (the engine's contexts each own one). */
  instrumentAudit(audit: AuditLog | null): void {
    if (!audit) return;
    const append = audit.append.bind(audit);
    const histogram = this.auditAppend;
    audit.append = async (entry) => {
      const end = histogram.startTimer();
      try {
        return await append(entry);
      } finally {
        end();
      }
    };
  }
}
