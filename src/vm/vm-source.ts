import { VmError } from "../errors.js";
import { AgentClient } from "./agent/client.js";
import type { VmBackend, VmHandle } from "./backend.js";
import type { GuestImage } from "./image/builder.js";
import type { VmRuntime, VmShape } from "./runtime.js";

/** Where a run's VM came from: a warm pool, a template restore made for it, or a cold boot. */
export type VmOrigin = "pool" | "restore" | "boot";

/**
 * One VM lent to one invocation, with its agent connection open. It is never reused: `release`
 * destroys it, so no state crosses invocations.
 */
export interface VmLease {
  readonly vm: VmHandle;
  readonly agent: AgentClient;
  readonly backend: VmBackend;
  readonly image: GuestImage;
  readonly origin: VmOrigin;
  /** The pooled VM type it was taken from. */
  readonly poolType?: string;
  readonly restoredFrom?: string;
  readonly templateCreated: boolean;
  /** From the request to the VM ready with its agent answering. */
  readonly readyMs: number;
  /** Waited in the admission queue, when it had to. */
  readonly queuedMs?: number;
  /** Destroys the VM; safe to call twice. The VMM is SIGKILLed before the first `await` inside. */
  release(): Promise<void>;
  /**
   * The source tracks the rest of a release (waiting for the VMM to be reaped, removing its files, freeing the slot),
   * so a run may return before it ends: the VM is already killed when `release()` returns its promise.
   */
  readonly releaseTracked?: boolean;
}

export interface VmAcquireRequest {
  shape: VmShape;
  /** Restore from the shape's template (default: the runtime's `[vm] snapshots`). */
  snapshot?: boolean;
  signal?: AbortSignal;
  /** Called while the request waits for capacity: how many requests are ahead of it. */
  onQueued?: (ahead: number) => void;
}

/** Lends VMs to runs: the daemon's pool, or a VM made for each run. */
export interface VmSource {
  acquire(request: VmAcquireRequest): Promise<VmLease>;
}

/**
 * A VM made for each run (the CLI's in-process path): restored from the shape's template when snapshots are on,
 * else cold-booted.
 *
 * @example
 * const lease = await new DirectVmSource(runtime).acquire({ shape: runtime.shape(undefined) });
 * try { await lease.agent.exec({ script: "true" }); } finally { await lease.release(); }
 */
export class DirectVmSource implements VmSource {
  constructor(private readonly runtime: VmRuntime) {}

  async acquire(request: VmAcquireRequest): Promise<VmLease> {
    const started = performance.now();
    const { backend, image } = await readyBackend(this.runtime);
    let vm: VmHandle;
    let restoredFrom: string | undefined;
    let templateCreated = false;
    if (request.snapshot ?? this.runtime.config.snapshots) {
      const { snapshot, created } = await this.runtime.template(backend, image, request.shape);
      templateCreated = created;
      vm = await backend.restore(snapshot, this.runtime.spec(request.shape, image, backend));
      restoredFrom = snapshot.id;
    } else {
      vm = await backend.boot(this.runtime.spec(request.shape, image, backend));
    }
    return leaseOf({ vm, backend, image, origin: restoredFrom ? "restore" : "boot", restoredFrom, templateCreated, started });
  }
}

/** The selected backend and the built image, or the reasons there are none. */
export async function readyBackend(runtime: VmRuntime): Promise<{ backend: VmBackend; image: GuestImage }> {
  const { backend, reasons } = await runtime.select();
  const image = await runtime.image();
  if (!backend || !image) throw new VmError(`no VM backend is available: ${reasons.join("; ")}`);
  return { backend, image };
}

/** Wraps a running VM into a lease: connects its agent, and destroys the VM if that fails. */
export async function leaseOf(parts: {
  vm: VmHandle;
  backend: VmBackend;
  image: GuestImage;
  origin: VmOrigin;
  restoredFrom?: string;
  templateCreated?: boolean;
  started: number;
  agent?: AgentClient;
  poolType?: string;
  queuedMs?: number;
  onRelease?: () => void;
}): Promise<VmLease> {
  let agent = parts.agent;
  try {
    agent ??= new AgentClient(await parts.vm.connectAgent());
  } catch (error) {
    await parts.backend.destroy(parts.vm);
    throw error;
  }
  let released: Promise<void> | undefined;
  const connected = agent;
  return {
    vm: parts.vm,
    agent: connected,
    backend: parts.backend,
    image: parts.image,
    origin: parts.origin,
    poolType: parts.poolType,
    restoredFrom: parts.restoredFrom,
    templateCreated: parts.templateCreated ?? false,
    readyMs: Math.round(performance.now() - parts.started),
    queuedMs: parts.queuedMs,
    release: () =>
      (released ??= (async () => {
        connected.close();
        try {
          await parts.backend.destroy(parts.vm);
        } finally {
          parts.onRelease?.();
        }
      })()),
  };
}
