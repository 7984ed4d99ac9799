import type { AgentClient } from "../agent/client.js";
import type { VmBackend, VmHandle } from "../backend.js";
import type { VmTypeConfig } from "../config-schema.js";
import type { GuestImage } from "../image/builder.js";
import type { VmShape } from "../runtime.js";
import type { PoolConfig } from "./config-schema.js";
import { percentiles, SampleWindow } from "./sample-window.js";
import type { PoolTypeStatus } from "./status.js";

/** The implicit type: the `[vm]` default shape. */
export const DEFAULT_TYPE = "default";

/** A restored, reseeded, warmed VM waiting for an invocation. */
export interface PooledVm {
  seq: number;
  type: PoolType;
  vm: VmHandle;
  agent: AgentClient;
  backend: VmBackend;
  image: GuestImage;
  /** Template snapshot it was restored from. */
  template: string;
  createdAt: number;
  idleSince: number;
  restoreMs: number;
  warmMs: number;
  probeMs: number;
  /** The nice value its VMM was started at (a background refill), raised to 0 when lent. */
  niceness?: number;
}

/** One pooled VM type: its shape, sizing, the VMs it holds, and its recent demand. */
export class PoolType {
  readonly ready: PooledVm[] = [];
  starting = 0;
  inUse = 0;
  /** Requests waiting for a VM of this type. */
  waiting = 0;
  readonly allocateMs: SampleWindow;
  readonly refillMs: SampleWindow;
  /** VMs in use at each allocation: the recent peak is the demand. */
  readonly demand: SampleWindow;
  readonly failures: SampleWindow;
  allocations = 0;
  /** `pool warm` asked for this many ready VMs, held until `warmUntil` (ms since the epoch) like recent demand. */
  warmTarget = 0;
  warmUntil = 0;
  /** A `pool warm` is starting VMs for this type: refill leaves the type to it (no double starts). */
  warming = false;
  /** The phases of the latest VM this type made (ms since spawn: vmm_ready, restore, agent_ready, warm_up…). */
  lastPhases: Record<string, number> | undefined;
  /** Since when ready < min_ready (ms since the epoch), for the `ready_below_min` alert. */
  belowMinSince: number | undefined;
  readonly minReady: number;
  readonly maxTotal: number;
  readonly maxAgeS: number;

  constructor(
    readonly name: string,
    readonly index: number,
    readonly shape: VmShape,
    pool: PoolConfig,
    own: VmTypeConfig | undefined,
    private readonly now: () => number,
  ) {
    this.maxTotal = own?.max_total ?? pool.max_total;
    this.minReady = Math.min(own?.min_ready ?? pool.min_ready, this.maxTotal);
    this.maxAgeS = own?.max_age_s ?? pool.max_age_s;
    const windowMs = pool.demand_window_s * 1000;
    this.allocateMs = new SampleWindow(windowMs, now);
    this.refillMs = new SampleWindow(windowMs, now);
    this.demand = new SampleWindow(windowMs, now);
    this.failures = new SampleWindow(windowMs, now);
  }

  get total(): number {
    return this.ready.length + this.starting + this.inUse;
  }

  /**
   * Ready VMs wanted now: min_ready, raised to the recent peak in use while allocations keep coming (within
   * `idleS`) and to what `pool warm` asked for (for `idleS` after it), plus the requests waiting for one, never past
   * max_total.
   */
  targetReady(idleS: number): number {
    const now = this.now();
    const last = this.demand.lastAt();
    const busy = last !== undefined && now - last < idleS * 1000;
    let want = (busy ? Math.max(this.minReady, this.demand.max()) : this.minReady) + this.waiting;
    // Warmed VMs are kept (housekeeping would otherwise scale them down within a second of `pool warm`).
    if (now < this.warmUntil) want = Math.max(want, this.warmTarget);
    return Math.max(0, Math.min(want, this.maxTotal - this.inUse));
  }

  /** This type in `pool status` (`idleS`: the pool's idle_s, which its target depends on). */
  status(idleS: number): PoolTypeStatus {
    const now = this.now();
    return {
      name: this.name,
      shape: { vcpus: this.shape.vcpus, memory_mb: this.shape.memoryMb, disk_mb: this.shape.diskMb ?? null, network: this.shape.network },
      min_ready: this.minReady,
      max_total: this.maxTotal,
      max_age_s: this.maxAgeS,
      target_ready: this.targetReady(idleS),
      ready: this.ready.length,
      in_use: this.inUse,
      starting: this.starting,
      queued: this.waiting,
      allocations: this.allocations,
      failures_recent: this.failures.count(),
      allocate_ms: percentiles(this.allocateMs.values()),
      refill_ms: percentiles(this.refillMs.values()),
      last_start_phases_ms: this.lastPhases ?? null,
      ready_vms: this.ready.map((p) => ({ id: p.vm.id, pid: p.vm.pid ?? null, age_s: Math.round((now - p.createdAt) / 1000), restore_ms: p.restoreMs, warm_ms: Math.round(p.warmMs * 10) / 10, probe_ms: Math.round(p.probeMs * 100) / 100 })),
    };
  }
}

/**
 * Whether a pooled type may serve a request: the same vCPUs and network (allowlist included), and no more memory or
 * disk than the request's limits allow (limits are ceilings: a smaller type respects them).
 *
 * @example typeFits({ vcpus: 1, memoryMb: 256, diskMb: 128, network: false }, { vcpus: 1, memoryMb: 512, diskMb: 128, network: false }) // true
 */
export function typeFits(type: VmShape, request: VmShape): boolean {
  const allow = (s: VmShape) => (s.networkAllow ?? []).join(" ");
  return (
    type.vcpus === request.vcpus &&
    type.network === request.network &&
    allow(type) === allow(request) &&
    type.memoryMb <= request.memoryMb &&
    (type.diskMb ?? 0) <= (request.diskMb ?? Number.POSITIVE_INFINITY)
  );
}
