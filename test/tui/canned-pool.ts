/** `GET /v1/pool` as the daemon's pool answers it (the shape agreed for issue 13), for the UI's tests. */
export const CANNED_POOL = {
  enabled: true,
  strategy: "first-available",
  types: [
    { name: "default", ready: 2, in_use: 0, starting: 0, queued: 0, min_ready: 2, max_total: 8, allocate_ms: { p50: 1.2, p95: 3.1 } },
    { name: "big", ready: 0, in_use: 1, starting: 1, queued: 3, min_ready: 1, max_total: 2, allocate_ms: null },
  ],
  capacity: { max_concurrent: 32, in_use: 1, queued: 3 },
  alerts: [{ name: "allocation_p95", state: "firing", since: "2026-12-01T10:00:00Z", message: "p95 over 50 ms" }],
};
