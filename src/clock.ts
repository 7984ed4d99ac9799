/**
 * Milliseconds on a monotonic clock, for durations. Not `performance.now()`: Node loads `perf_hooks` on the first
 * use of the global `performance` (~2 ms), which a one-shot CLI call would pay only to time its hooks and its process.
 *
 * @example
 * const started = monotonicMs();
 * const durationMs = Math.round(monotonicMs() - started);
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
