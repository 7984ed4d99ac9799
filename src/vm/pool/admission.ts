import { VmCapacityError } from "../../errors.js";

interface Waiter {
  grant: () => void;
  fail: (error: Error) => void;
  onQueued?: (ahead: number) => void;
}

/**
 * Admission control: at most `capacity` VMs run commands at once; the rest wait in a FIFO queue, told how many are
 * ahead of them whenever that changes, and give up after `timeoutMs` (or when their signal aborts).
 *
 * @example
 * const gate = new Admission(32, 120_000);
 * const release = await gate.enter({ onQueued: (ahead) => log(`queued, ${ahead} ahead`) });
 * try { await run(); } finally { release(); }
 */
export class Admission {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    readonly capacity: number,
    private readonly timeoutMs: number,
  ) {}

  get inUse(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Resolves with the release function once a slot is free (at once when one is). */
  enter(opts: { signal?: AbortSignal; onQueued?: (ahead: number) => void } = {}): Promise<() => void> {
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason ?? new Error("aborted"));
    if (this.running < this.capacity && this.queue.length === 0) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const leave = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        const i = this.queue.indexOf(waiter);
        if (i >= 0) {
          this.queue.splice(i, 1);
          this.tellPositions(i);
        }
      };
      const onAbort = () => {
        leave();
        reject(opts.signal?.reason ?? new Error("aborted"));
      };
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          opts.signal?.removeEventListener("abort", onAbort);
          resolve(this.releaser());
        },
        fail: reject,
        onQueued: opts.onQueued,
      };
      this.queue.push(waiter);
      opts.onQueued?.(this.queue.length - 1);
      timer = setTimeout(() => {
        leave();
        reject(new VmCapacityError(`no microVM capacity within ${this.timeoutMs} ms: ${this.running} of ${this.capacity} in use, ${this.queue.length} waiting ([pool] max_concurrent, queue_timeout_ms)`));
      }, this.timeoutMs);
      opts.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Refuses every waiting request (shutdown). */
  drain(reason: Error): void {
    for (const waiter of this.queue.splice(0)) waiter.fail(reason);
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.queue.shift();
      if (next) {
        next.grant(); // the slot passes straight to the next in line
        this.tellPositions(0);
      } else this.running--;
    };
  }

  /** Everyone from index `from` on moved up one place. */
  private tellPositions(from: number): void {
    this.queue.forEach((waiter, i) => {
      if (i >= from) waiter.onQueued?.(i);
    });
  }
}
