/** Percentiles of a sample set: `{ p50, p90, p95, p99 }` in the samples' unit, rounded to 0.01. */
export interface Percentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/**
 * Nearest-rank percentile of unsorted values (undefined when empty).
 *
 * @example percentile([5, 1, 3], 50) // 3
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function percentiles(values: readonly number[]): Percentiles | null {
  if (values.length === 0) return null;
  const at = (p: number) => Math.round(percentile(values, p)! * 100) / 100;
  return { p50: at(50), p90: at(90), p95: at(95), p99: at(99) };
}

/**
 * Timestamped samples kept for a sliding window (and at most `maxSamples`), for recent latency percentiles,
 * rates and peaks.
 *
 * @example
 * const w = new SampleWindow(60_000);
 * w.add(3.2);
 * w.values(); // [3.2] for the next minute
 */
export class SampleWindow {
  private samples: { at: number; value: number }[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxSamples = 4096,
  ) {}

  add(value: number): void {
    this.samples.push({ at: this.now(), value });
    if (this.samples.length > this.maxSamples) this.samples.splice(0, this.samples.length - this.maxSamples);
  }

  values(): number[] {
    const since = this.now() - this.windowMs;
    this.samples = this.samples.filter((s) => s.at >= since);
    return this.samples.map((s) => s.value);
  }

  count(): number {
    return this.values().length;
  }

  max(): number {
    return Math.max(0, ...this.values());
  }

  /** When the newest sample was added, or undefined. */
  lastAt(): number | undefined {
    return this.samples.at(-1)?.at;
  }
}
