import { PoolError } from "../../errors.js";
import { readyBackend } from "../vm-source.js";
import { MAINTENANCE_OPS, type MaintenanceOp } from "./config-schema.js";
import type { MaintenanceReport } from "./status.js";
import type { VmPool } from "./vm-pool.js";

/** The host-side cleanups maintenance delegates to the VM stage (injected: the pool does not own them). */
export interface MaintenanceDeps {
  /** Reaps VMM processes, sockets, run dirs and RAM files whose owner process is gone. */
  reapOrphans(): Promise<Record<string, unknown>>;
  /** Removes templates and images not in use (never the names given). */
  collectSnapshots(inUse: Set<string>, keepImages: number): Promise<Record<string, unknown>>;
}

/** The five operations `full` runs, in order. */
const FULL_ORDER: Exclude<MaintenanceOp, "full">[] = ["health-check", "cleanup", "recycle", "snapshot-refresh", "rebalance"];

/**
 * The pool's six maintenance operations, on demand (`firebreak pool maintain <op>`) and on a schedule. Each returns a
 * report of what it did; `onReport` (the daemon: audit, metrics) sees every one.
 *
 * @example
 * const m = new PoolMaintenance(pool, deps, (r) => audit(r));
 * const [report] = await m.run("health-check");
 */
export class PoolMaintenance {
  /** The latest report of each operation. */
  private readonly latest = new Map<string, MaintenanceReport>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pool: VmPool,
    private readonly deps: MaintenanceDeps,
    private readonly onReport: (report: MaintenanceReport) => void = () => {},
  ) {}

  last(): MaintenanceReport[] {
    return [...this.latest.values()];
  }

  /** Runs `op` (`full`: the five others in order, then its own summary); operations never overlap. */
  run(op: string): Promise<MaintenanceReport[]> {
    if (!(MAINTENANCE_OPS as readonly string[]).includes(op)) {
      return Promise.reject(new PoolError(`unknown maintenance operation '${op}' (one of: ${MAINTENANCE_OPS.join(", ")})`));
    }
    const next = this.running.then(() => this.runNow(op as MaintenanceOp));
    this.running = next.catch(() => {});
    return next;
  }

  /** Runs `full` every `intervalS` seconds (0 = never). */
  schedule(intervalS: number): void {
    if (intervalS <= 0) return;
    this.timer = setInterval(() => void this.run("full").catch(() => {}), intervalS * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async runNow(op: MaintenanceOp): Promise<MaintenanceReport[]> {
    if (op !== "full") return [await this.report(op, () => this.one(op))];
    const started = performance.now();
    const reports: MaintenanceReport[] = [];
    for (const each of FULL_ORDER) reports.push(await this.report(each, () => this.one(each)));
    const summary = this.finish("full", started, { ops: reports.map((r) => ({ op: r.op, ok: r.ok })) }, reports.find((r) => !r.ok)?.error);
    return [...reports, summary];
  }

  private async report(op: string, work: () => Promise<Record<string, unknown>>): Promise<MaintenanceReport> {
    const started = performance.now();
    try {
      return this.finish(op, started, await work());
    } catch (error) {
      return this.finish(op, started, {}, (error as Error).message);
    }
  }

  private finish(op: string, started: number, details: Record<string, unknown>, error?: string): MaintenanceReport {
    const report: MaintenanceReport = { op, at: new Date().toISOString(), duration_ms: Math.round(performance.now() - started), ok: error === undefined, details, ...(error ? { error } : {}) };
    this.latest.set(op, report);
    this.onReport(report);
    return report;
  }

  private one(op: Exclude<MaintenanceOp, "full">): Promise<Record<string, unknown>> {
    switch (op) {
      case "health-check":
        return this.healthCheck();
      case "cleanup":
        return this.deps.reapOrphans();
      case "recycle":
        return this.recycle();
      case "snapshot-refresh":
        return this.snapshotRefresh();
      case "rebalance":
        return this.rebalance();
    }
  }

  /** Probes every ready VM (out of the ready list while probed); a failed or slow probe is replaced. */
  private async healthCheck(): Promise<Record<string, unknown>> {
    const timeoutMs = this.pool.config.probe_timeout_ms;
    const types = [];
    for (const t of this.pool.types) {
      const probing = t.ready.splice(0);
      const results = await Promise.all(
        probing.map(async (p) => {
          try {
            if (p.agent.isClosed) throw new Error("agent channel closed");
            p.probeMs = await p.agent.ping({ timeoutMs });
            return { p, ok: true };
          } catch (error) {
            return { p, ok: false, error };
          }
        }),
      );
      let replaced = 0;
      for (const r of results) {
        if (r.ok) t.ready.push(r.p);
        else {
          replaced++;
          this.pool.fail(t, "health-check probe failed", r.error);
          await r.p.backend.destroy(r.p.vm);
        }
      }
      types.push({ type: t.name, probed: probing.length, healthy: probing.length - replaced, replaced });
    }
    this.pool.refill();
    return { types };
  }

  /** Replaces ready VMs past their type's max_age_s, or whose VMM or agent is gone. */
  private async recycle(): Promise<Record<string, unknown>> {
    const now = Date.now();
    const types = [];
    for (const t of this.pool.types) {
      const replaced = await this.pool.retire(t, (p) => now - p.createdAt > t.maxAgeS * 1000 || p.agent.isClosed);
      types.push({ type: t.name, replaced });
    }
    this.pool.refill();
    return { types };
  }

  /**
   * Makes sure each type's template matches the current guest image and shape (made if missing), replaces ready VMs
   * restored from any other template, then collects templates and images nothing uses.
   */
  private async snapshotRefresh(): Promise<Record<string, unknown>> {
    const { runtime } = this.pool;
    const { backend, image } = await readyBackend(runtime);
    const templates = [];
    const inUse = new Set<string>();
    let replaced = 0;
    for (const t of this.pool.types) {
      const name = runtime.templateName(backend, image, t.shape);
      const { snapshot, created } = await runtime.template(backend, image, t.shape);
      inUse.add(name);
      replaced += await this.pool.retire(t, (p) => p.template !== snapshot.id);
      templates.push({ type: t.name, template: name, created });
    }
    const collected = await this.deps.collectSnapshots(inUse, this.pool.config.keep_images);
    this.pool.refill();
    return { image: image.key, templates, replaced, collected };
  }

  /** Moves ready capacity to where recent demand is: surplus removed from idle types, refill for busy ones. */
  private async rebalance(): Promise<Record<string, unknown>> {
    const before = new Map(this.pool.types.map((t) => [t.name, t.ready.length + t.starting]));
    const removed = await this.pool.scaleDown();
    this.pool.refill();
    return {
      types: this.pool.types.map((t) => ({
        type: t.name,
        demand_peak: t.demand.max(),
        target_ready: t.targetReady(this.pool.config.idle_s),
        before: before.get(t.name) ?? 0,
        after: t.ready.length + t.starting,
        removed: removed.find((r) => r.type === t.name)?.removed ?? 0,
      })),
    };
  }
}
