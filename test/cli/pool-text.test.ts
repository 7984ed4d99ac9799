import { describe, expect, it } from "vitest";
import { queuedText, RunView } from "../../src/cli/view/run-view.js";
import { maintenanceText, poolStatusText } from "../../src/cli/view/pool-text.js";
import type { PoolStatus } from "../../src/vm/pool/status.js";

const o = { out: () => {}, err: () => {}, json: () => {}, color: false };

const status: PoolStatus = {
  enabled: true,
  strategy: "best-performance",
  capacity: { max_concurrent: 32, in_use: 1, queued: 0 },
  types: [
    {
      name: "default",
      shape: { vcpus: 1, memory_mb: 256, disk_mb: 128, network: false },
      min_ready: 2,
      max_total: 8,
      max_age_s: 1800,
      target_ready: 2,
      ready: 1,
      in_use: 1,
      starting: 1,
      queued: 0,
      allocations: 7,
      failures_recent: 0,
      allocate_ms: { p50: 1.8, p90: 2.5, p95: 3.1, p99: 4 },
      refill_ms: { p50: 310, p90: 400, p95: 420, p99: 450 },
      last_start_phases_ms: { spawn: 0, vmm_ready: 31, restore: 44, agent_ready: 92, warm_up: 180 },
      ready_vms: [],
    },
  ],
  alerts: [{ name: "ready_below_min", state: "firing", since: "2026-12-01T10:00:00.000Z", message: "default has 1 ready of min_ready 2 for 61 s", value: 61, threshold: 60, type: "default" }],
  maintenance: { last: [{ op: "health-check", at: "2026-12-01T10:00:00.000Z", duration_ms: 3, ok: true, details: { types: [] } }], interval_s: 60 },
};

describe("pool views", () => {
  it("status: a row per type with ready against min_ready, allocation percentiles, the last start's phases, alerts and maintenance", () => {
    const text = poolStatusText(o, status);
    expect(text).toContain("strategy best-performance · 1 of 32 VMs running commands, 0 queued");
    expect(text).toMatch(/default\s+1 vCPU 256 MB\s+1\/2\s+1\s+1\s+0\s+2\s+1\.8\/3\.1 ms\s+310 ms/);
    expect(text).toContain("default: last VM start, ms since spawn: vmm_ready 31, restore 44, agent_ready 92, warm_up 180");
    expect(text).toContain("ready_below_min [default] since 2026-12-01T10:00:00.000Z: default has 1 ready of min_ready 2 for 61 s");
    expect(text).toMatch(/health-check\s+2026-12-01T10:00:00.000Z {2}ok \(3 ms\)/);
  });

  it("maintenance: one line per operation, failures with their error", () => {
    const text = maintenanceText(o, [
      { op: "cleanup", at: "t", duration_ms: 2, ok: true, details: { killed: [], removed: ["/tmp/fbvm-1"], kept: [] } },
      { op: "snapshot-refresh", at: "t", duration_ms: 5, ok: false, details: {}, error: "no VM backend is available" },
    ]);
    expect(text).toContain('cleanup: ok in 2 ms\n  {"killed":[],"removed":["/tmp/fbvm-1"],"kept":[]}');
    expect(text).toContain("snapshot-refresh: failed: no VM backend is available in 5 ms");
  });

  it("a run waiting for microVM capacity says so with its place in the queue", () => {
    const errs: string[] = [];
    const view = new RunView({ ...o, err: (t: string) => void errs.push(t) }, { json: false, planOnly: false, write: { stdout: () => {}, stderr: () => {} } });
    view.onEvent({ type: "queued", ahead: 3 });
    expect(errs).toEqual([`firebreak: ${queuedText(3)}`]);
    expect(queuedText(3)).toBe("queued for a microVM, 3 ahead");
  });
});
