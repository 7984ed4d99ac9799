import os from "node:os";
import { PoolError, VmCapacityError } from "../../errors.js";
import type { VmTypeConfig } from "../config-schema.js";
import type { VmRuntime, VmShape } from "../runtime.js";
import { DirectVmSource, leaseOf, type VmAcquireRequest, type VmLease, type VmSource } from "../vm-source.js";
import { defaultMaxConcurrentVms, hostCapacity } from "../host-capacity.js";
import { raiseToForeground } from "../vmm-priority.js";
import { Admission } from "./admission.js";
import type { PoolConfig, StrategyName } from "./config-schema.js";
import { DEFAULT_TYPE, type PooledVm, PoolType, typeFits } from "./pool-type.js";
import { type StartedVm, startPooledVm } from "./start-vm.js";
import type { PoolStatus } from "./status.js";
import { type Candidate, chooseCandidate, newStrategyState } from "./strategies.js";

/** What the pool reports as it works (metrics, phase records, logs). All optional. */
export interface PoolObserver {
  allocated?(type: string, strategy: StrategyName, ms: number): void;
  refilled?(type: string, started: StartedVm, ms: number): void;
  failed?(type: string, cause: string, error?: unknown): void;
  log?(line: string): void;
}

export interface VmPoolOptions {
  config: PoolConfig;
  vmTypes: Record<string, VmTypeConfig>;
  /** Cap on VMs running commands at once (default: `[pool] max_concurrent`, else derived from the host). */
  maxConcurrent?: number;
  observer?: PoolObserver;
  now?: () => number;
  random?: () => number;
  /** Makes one ready VM (default: restore from the template, reseed, warm); tests pass their own. */
  startVm?: typeof startPooledVm;
  /** VMs started in parallel at most (default: one per host CPU: TCG restores are CPU-bound). */
  maxParallelStarts?: number;
}

const HOUSEKEEPING_INTERVAL_MS = 1000;
/**
 * How long after lending a VM the pool waits before starting its replacement. Starting one forks this process and
 * restores a VM (~0.5 s of CPU under TCG); beside the lent VM's first command it more than doubled that command's
 * start (p50 16 -> 6.7 ms with 20 ms, 6.2 ms with 60 ms, at once 16 ms; `true` in pooled VMs, interleaved, 25 each).
 * Requests waiting for a VM do not wait for this: they start VMs at once.
 */
const REFILL_AFTER_LEND_MS = 50;

/**
 * The daemon's pool of prewarmed microVMs, one list per VM type. Each VM serves one invocation and is destroyed
 * afterwards; refill runs in the background, raised by demand up to `max_total` and back to `min_ready` when idle.
 * Requests pass admission control first (a FIFO queue with a timeout beyond `max_concurrent`).
 *
 * @example
 * const pool = new VmPool(runtime, { config: cfg.pool, vmTypes: cfg.vm_types });
 * pool.start();
 * const lease = await pool.acquire({ shape: runtime.shape(undefined) });
 */
export class VmPool implements VmSource {
  readonly types: PoolType[];
  readonly admission: Admission;
  readonly strategy: StrategyName;
  private readonly strategyState;
  private readonly direct: DirectVmSource;
  private readonly now: () => number;
  private seq = 0;
  private starts = 0;
  private readonly maxParallelStarts: number;
  private readonly startVm: typeof startPooledVm;
  private readyWaiters = new Set<() => void>();
  private housekeeping: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly pendingStarts = new Set<Promise<unknown>>();
  /** Releases of lent VMs still tearing down (a run does not wait for them; `stop` does). */
  private readonly pendingReleases = new Set<Promise<unknown>>();

  constructor(
    readonly runtime: VmRuntime,
    private readonly options: VmPoolOptions,
  ) {
    const { config, vmTypes } = options;
    this.now = options.now ?? Date.now;
    this.strategy = config.strategy;
    this.strategyState = newStrategyState(options.random);
    this.direct = new DirectVmSource(runtime);
    this.startVm = options.startVm ?? startPooledVm;
    this.maxParallelStarts = options.maxParallelStarts ?? Math.max(1, os.cpus().length);
    this.types = config.types.map((name, index) => {
      const own = vmTypes[name];
      if (!own && name !== DEFAULT_TYPE) throw new PoolError(`[pool] types names '${name}', which is not a [vm_types.${name}] section`);
      return new PoolType(name, index, runtime.shape(undefined, own), config, own, this.now);
    });
    const defaultShape = runtime.shape(undefined);
    const cap = options.maxConcurrent ?? config.max_concurrent ?? defaultMaxConcurrentVms(hostCapacity(), defaultShape.memoryMb);
    this.admission = new Admission(cap, config.queue_timeout_ms);
  }

  get config(): PoolConfig {
    return this.options.config;
  }

  /** Begins filling every type to its target, and the housekeeping (idle scale-down, dead VMs). */
  start(): void {
    this.refill();
    this.housekeeping = setInterval(() => this.housekeep(), HOUSEKEEPING_INTERVAL_MS);
    this.housekeeping.unref();
  }

  type(name: string): PoolType {
    const t = this.types.find((x) => x.name === name);
    if (!t) throw new PoolError(`no pooled VM type '${name}' (pooled: ${this.types.map((x) => x.name).join(", ") || "none"})`);
    return t;
  }

  /** A VM for one invocation: a ready one chosen by the strategy, else one started for it, after admission. */
  async acquire(request: VmAcquireRequest): Promise<VmLease> {
    if (this.stopped) throw new PoolError("the pool is stopping");
    const started = performance.now();
    const leave = await this.admission.enter({ signal: request.signal, onQueued: request.onQueued });
    const queuedMs = Math.round(performance.now() - started);
    try {
      const fitting = this.types.filter((t) => typeFits(t.shape, request.shape));
      if (fitting.length === 0 || request.snapshot === false) {
        const lease = await this.direct.acquire(request);
        return { ...lease, release: () => lease.release().finally(leave) };
      }
      return await this.take(fitting, request, started, queuedMs, leave);
    } catch (error) {
      leave();
      throw error;
    }
  }

  private async take(fitting: PoolType[], request: VmAcquireRequest, started: number, queuedMs: number, leave: () => void): Promise<VmLease> {
    const deadline = started + this.config.queue_timeout_ms;
    for (;;) {
      const chosen = this.choose(fitting);
      if (chosen) {
        if (chosen.agent.isClosed) {
          this.fail(chosen.type, "agent channel closed while ready");
          void chosen.backend.destroy(chosen.vm);
          continue;
        }
        return this.lend(chosen, started, queuedMs, leave);
      }
      // Nothing ready: start one for this request where a type has room and a start slot is free (restores are
      // CPU-bound under TCG: 28 at once on 2 CPUs timed each other out), else wait for a ready VM or a free slot.
      const roomy = fitting.find((t) => t.total < t.maxTotal);
      if (roomy && this.starts < this.maxParallelStarts) {
        roomy.inUse++;
        this.starts++;
        const t0 = performance.now();
        let startedVm: StartedVm;
        try {
          startedVm = await this.startVm(this.runtime, roomy, ++this.seq, { warm: false, now: this.now });
        } catch (error) {
          roomy.inUse--;
          this.fail(roomy, "start failed", error);
          throw error;
        } finally {
          this.starts--;
          this.wakeWaiters();
          this.refill();
        }
        roomy.lastPhases = { ...startedVm.phases };
        this.options.observer?.refilled?.(roomy.name, startedVm, performance.now() - t0);
        roomy.inUse--; // lend() counts it again
        return this.lend(startedVm.pooled, started, queuedMs, leave, "restore");
      }
      await this.waitForReady(fitting, deadline, request.signal);
    }
  }

  private choose(fitting: PoolType[]): PooledVm | undefined {
    const candidates: (Candidate & { vm: PooledVm })[] = fitting.flatMap((t) =>
      t.ready.map((p) => ({ seq: p.seq, type: t.name, typeIndex: t.index, idleSince: p.idleSince, restoreMs: p.restoreMs, probeMs: p.probeMs, vm: p })),
    );
    const pick = chooseCandidate(this.strategy, candidates, this.strategyState) as (Candidate & { vm: PooledVm }) | undefined;
    if (!pick) return undefined;
    const list = pick.vm.type.ready;
    list.splice(list.indexOf(pick.vm), 1);
    return pick.vm;
  }

  private async lend(p: PooledVm, started: number, queuedMs: number, leave: () => void, origin: "pool" | "restore" = "pool"): Promise<VmLease> {
    const type = p.type;
    // Made in the background at low priority: the command it now serves runs at normal priority.
    if (p.niceness && p.vm.pid !== undefined) raiseToForeground(p.vm.pid);
    type.inUse++;
    type.allocations++;
    type.demand.add(type.inUse);
    const lease = await leaseOf({
      vm: p.vm,
      backend: p.backend,
      image: p.image,
      agent: p.agent,
      origin,
      poolType: type.name,
      restoredFrom: p.template,
      started,
      queuedMs: queuedMs > 0 ? queuedMs : undefined,
      onRelease: () => {
        type.inUse--;
        leave();
        this.refill();
      },
    });
    const ms = performance.now() - started;
    type.allocateMs.add(ms);
    this.options.observer?.allocated?.(type.name, this.strategy, ms);
    setTimeout(() => this.refill(), REFILL_AFTER_LEND_MS).unref();
    let releasing: Promise<void> | undefined;
    return {
      ...lease,
      releaseTracked: true,
      release: () => {
        if (releasing) return releasing;
        releasing = lease.release();
        this.pendingReleases.add(releasing);
        const forget = () => this.pendingReleases.delete(releasing!);
        releasing.then(forget, (error: unknown) => {
          forget();
          this.options.observer?.log?.(`pool: ${type.name}: destroying VM ${p.vm.id} failed: ${(error as Error).message}`);
        });
        return releasing;
      },
    };
  }

  private waitForReady(fitting: PoolType[], deadline: number, signal?: AbortSignal): Promise<void> {
    for (const t of fitting) t.waiting++;
    this.refill(); // waiting requests raise their types' targets
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.readyWaiters.delete(wake);
        for (const t of fitting) t.waiting--;
        if (error) reject(error);
        else resolve();
      };
      const wake = () => done();
      const onAbort = () => done(signal?.reason ?? new Error("aborted"));
      const timer = setTimeout(() => done(new VmCapacityError(`no VM of type ${fitting.map((t) => t.name).join("/")} became ready in time (max_total reached)`)), Math.max(0, deadline - performance.now()));
      this.readyWaiters.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Starts VMs (in the background) until every type holds its target, within max_total and the parallel-start cap. */
  refill(): void {
    if (this.stopped) return;
    // While more VMs run commands than VMs can be started at once, restores would take CPU from those commands
    // (TCG is CPU-bound): only requests that wait for a VM get one started; the rest of the refill follows the burst.
    const busy = this.admission.inUse > this.maxParallelStarts;
    for (const t of this.types) {
      if (t.warming) continue;
      const target = busy ? Math.min(t.targetReady(this.config.idle_s), t.waiting) : t.targetReady(this.config.idle_s);
      let want = target - t.ready.length - t.starting;
      while (want > 0 && t.total < t.maxTotal && this.starts < this.maxParallelStarts) {
        want--;
        this.startOne(t);
      }
    }
  }

  /**
   * Adds `n` ready VMs to a type now (`pool warm`), within max_total; resolves when they are ready. They are kept
   * for `idle_s` (the type's target includes them), then scale down like idle demand.
   */
  async warm(typeName: string, n: number): Promise<{ type: string; started: number; failed: number }> {
    const t = this.type(typeName);
    let left = Math.max(0, Math.min(n, t.maxTotal - t.total));
    t.warmTarget = t.ready.length + t.starting + left;
    t.warmUntil = this.now() + this.config.idle_s * 1000;
    t.warming = true;
    let started = 0;
    let failed = 0;
    // At most the parallel-start cap at a time, like every other start.
    const worker = async () => {
      while (left > 0 && !this.stopped) {
        left--;
        await this.startOne(t, true).then(
          () => started++,
          () => failed++,
        );
      }
    };
    try {
      await Promise.all(Array.from({ length: this.maxParallelStarts }, worker));
    } finally {
      t.warming = false;
    }
    this.refill();
    return { type: t.name, started, failed };
  }

  private startOne(t: PoolType, force = false): Promise<void> {
    t.starting++;
    this.starts++;
    const t0 = performance.now();
    const work = this.startVm(this.runtime, t, ++this.seq, { now: this.now, background: true }).then(
      (started) => {
        const ms = performance.now() - t0;
        t.refillMs.add(ms);
        t.lastPhases = { ...started.phases };
        this.options.observer?.refilled?.(t.name, started, ms);
        if (this.stopped) return void started.pooled.backend.destroy(started.pooled.vm);
        t.ready.push(started.pooled);
        void started.pooled.vm.exited.then(() => this.dropDead(started.pooled));
        this.wakeWaiters();
      },
      (error: unknown) => {
        this.fail(t, "start failed", error);
        if (force) throw error;
      },
    );
    const settled = work.then(
      () => {
        this.startEnded(t, settled);
        this.refill(); // the next one, if the type is still short
      },
      (error: unknown) => {
        // A failed start is not retried at once in a loop: housekeeping refills on its next tick.
        this.startEnded(t, settled);
        throw error;
      },
    );
    this.pendingStarts.add(settled);
    settled.catch(() => {});
    return settled;
  }

  private startEnded(t: PoolType, settled: Promise<unknown>): void {
    t.starting--;
    this.starts--;
    this.pendingStarts.delete(settled);
    this.wakeWaiters();
  }

  /** Requests waiting for a VM look again: one became ready, or a start slot is free. */
  private wakeWaiters(): void {
    for (const wake of [...this.readyWaiters]) wake();
  }

  /** A ready VM whose process exited is removed and counted as a failure. */
  private dropDead(p: PooledVm): void {
    const i = p.type.ready.indexOf(p);
    if (i < 0) return;
    p.type.ready.splice(i, 1);
    this.fail(p.type, "exited while ready");
    this.refill();
  }

  fail(t: PoolType, cause: string, error?: unknown): void {
    t.failures.add(1);
    this.options.observer?.failed?.(t.name, cause, error);
    this.options.observer?.log?.(`pool: ${t.name}: ${cause}${error ? `: ${(error as Error).message}` : ""}`);
  }

  /** Removes ready VMs from a type (the oldest first) and destroys them. */
  async retire(t: PoolType, which: (p: PooledVm) => boolean): Promise<number> {
    const gone = t.ready.filter(which);
    for (const p of gone) t.ready.splice(t.ready.indexOf(p), 1);
    await Promise.all(gone.map((p) => p.backend.destroy(p.vm)));
    return gone.length;
  }

  /** Ready VMs above each type's target, oldest first, destroyed. */
  async scaleDown(): Promise<{ type: string; removed: number }[]> {
    const out = [];
    for (const t of this.types) {
      const surplus = t.ready.length - Math.max(t.targetReady(this.config.idle_s), t.minReady);
      if (surplus <= 0) continue;
      const oldest = new Set([...t.ready].sort((a, b) => a.createdAt - b.createdAt).slice(0, surplus));
      out.push({ type: t.name, removed: await this.retire(t, (p) => oldest.has(p)) });
    }
    return out;
  }

  private housekeep(): void {
    const now = this.now();
    for (const t of this.types) {
      if (t.ready.length < t.minReady) t.belowMinSince ??= now;
      else t.belowMinSince = undefined;
    }
    void this.scaleDown().then(() => this.refill());
  }

  status(): Omit<PoolStatus, "alerts" | "maintenance"> {
    return {
      enabled: true,
      strategy: this.strategy,
      capacity: { max_concurrent: this.admission.capacity, in_use: this.admission.inUse, queued: this.admission.queued },
      types: this.types.map((t) => t.status(this.config.idle_s)),
    };
  }

  /** Stops refilling, refuses queued requests, destroys every ready VM and waits for starts in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.housekeeping);
    this.admission.drain(new PoolError("the pool is stopping"));
    this.wakeWaiters();
    await Promise.allSettled([...this.pendingStarts, ...this.pendingReleases]);
    await Promise.all(this.types.map((t) => this.retire(t, () => true)));
  }
}

export type { VmShape };
