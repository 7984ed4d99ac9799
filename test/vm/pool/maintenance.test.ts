import { afterEach, describe, expect, it } from "vitest";
import { AlertMonitor } from "../../../src/vm/pool/alerts.js";
import { alertsConfigSchema, MAINTENANCE_OPS, poolConfigSchema } from "../../../src/vm/pool/config-schema.js";
import { PoolMaintenance } from "../../../src/vm/pool/maintenance.js";
import type { AlertView, MaintenanceReport } from "../../../src/vm/pool/status.js";
import { VmPool } from "../../../src/vm/pool/vm-pool.js";
import { fakeVmWorld, shapeRuntime, until } from "./fake-vms.js";

const pools: VmPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.stop();
});

function setUp(config: Record<string, unknown> = {}, now?: () => number) {
  const world = fakeVmWorld();
  const pool = new VmPool(shapeRuntime(), { config: poolConfigSchema.parse({ min_ready: 2, ...config }), vmTypes: {}, startVm: world.startVm, now });
  pools.push(pool);
  const reports: MaintenanceReport[] = [];
  const calls: string[] = [];
  const maintenance = new PoolMaintenance(
    pool,
    {
      reapOrphans: async () => {
        calls.push("reap");
        return { killed: [], removed: ["/dev/shm/firebreak-dead.ram"], kept: [] };
      },
      collectSnapshots: async (inUse) => {
        calls.push(`collect:${[...inUse].join(",")}`);
        return { removedTemplates: [] };
      },
    },
    (r) => reports.push(r),
  );
  return { pool, world, maintenance, reports, calls };
}

describe("pool maintenance", () => {
  it("health-check probes every ready VM and replaces the ones that fail", async () => {
    const { pool, world, maintenance } = setUp();
    pool.start();
    await until(() => pool.types[0]!.ready.length === 2);
    const sick = pool.types[0]!.ready[0]!.vm.id;
    world.failingProbes.add(sick);
    const [report] = await maintenance.run("health-check");
    expect(report!.ok).toBe(true);
    expect(report!.details).toEqual({ types: [{ type: "default", probed: 2, healthy: 1, replaced: 1 }] });
    expect(world.destroyed).toEqual([sick]);
    await until(() => pool.types[0]!.ready.length === 2);
    expect(pool.types[0]!.ready.map((p) => p.vm.id)).not.toContain(sick);
  });

  it("recycle replaces ready VMs past max_age_s", async () => {
    const { pool, world, maintenance } = setUp({ max_age_s: 1 });
    pool.start();
    await until(() => pool.types[0]!.ready.length === 2);
    for (const p of pool.types[0]!.ready) p.createdAt -= 5_000;
    const [report] = await maintenance.run("recycle");
    expect(report!.details).toEqual({ types: [{ type: "default", replaced: 2 }] });
    expect(world.destroyed).toHaveLength(2);
  });

  it("cleanup reports what the orphan reaper did", async () => {
    const { maintenance, calls } = setUp();
    const [report] = await maintenance.run("cleanup");
    expect(calls).toEqual(["reap"]);
    expect(report!.details.removed).toEqual(["/dev/shm/firebreak-dead.ram"]);
  });

  it("full runs the five operations in order, then its own summary; a failing one is reported, the rest still run", async () => {
    const { pool, maintenance, reports } = setUp();
    pool.start();
    const result = await maintenance.run("full");
    expect(result.map((r) => r.op)).toEqual(["health-check", "cleanup", "recycle", "snapshot-refresh", "rebalance", "full"]);
    // No guest image in this test's state dir: snapshot-refresh fails and says why; full is then not ok.
    expect(result.find((r) => r.op === "snapshot-refresh")).toMatchObject({ ok: false, error: expect.stringMatching(/no VM backend|guest image/) });
    expect(result.find((r) => r.op === "rebalance")?.ok).toBe(true);
    expect(result.at(-1)).toMatchObject({ op: "full", ok: false });
    expect(reports.map((r) => r.op)).toEqual(result.map((r) => r.op));
    expect(new Set(maintenance.last().map((r) => r.op))).toEqual(new Set(MAINTENANCE_OPS));
  });

  it("refuses an unknown operation by name", async () => {
    const { maintenance } = setUp();
    await expect(maintenance.run("defrag")).rejects.toThrow(/unknown maintenance operation 'defrag'/);
  });
});

describe("pool alerts", () => {
  it("fire once when a condition holds, stay listed while it does, and clear once when it stops", async () => {
    let now = 1_000_000;
    const { pool, world } = setUp({ min_ready: 1 }, () => now);
    world.startFailuresAfter = 0; // every start fails: the pool stays below min_ready
    const seen: AlertView[] = [];
    const alerts = new AlertMonitor(pool, alertsConfigSchema.parse({ ready_below_min_s: 30, failure_rate: 0.5 }), (a) => seen.push(a), () => now);
    pool.start();
    await until(() => pool.types[0]!.failures.count() >= 3);
    (pool as unknown as { housekeep(): void }).housekeep();
    alerts.evaluate();
    expect(seen.map((a) => `${a.name}:${a.state}`)).toEqual(["vm_failure_rate:firing"]);
    now += 31_000;
    alerts.evaluate();
    alerts.evaluate();
    expect(seen.map((a) => `${a.name}:${a.state}`)).toEqual(["vm_failure_rate:firing", "ready_below_min:firing"]);
    expect(alerts.active().map((a) => a.name).sort()).toEqual(["ready_below_min", "vm_failure_rate"]);
    // The backend recovers: VMs start, the failures age out of the window.
    world.startFailuresAfter = undefined;
    now += 120_000;
    pool.refill();
    await until(() => pool.types[0]!.ready.length === 1);
    (pool as unknown as { housekeep(): void }).housekeep();
    alerts.evaluate();
    expect(seen.slice(2).map((a) => `${a.name}:${a.state}`).sort()).toEqual(["ready_below_min:cleared", "vm_failure_rate:cleared"]);
    expect(alerts.active()).toEqual([]);
  });

  it("allocation p95 above its threshold fires for that type", async () => {
    const { pool } = setUp({ min_ready: 0 });
    const seen: AlertView[] = [];
    const alerts = new AlertMonitor(pool, alertsConfigSchema.parse({ allocation_p95_ms: 100 }), (a) => seen.push(a));
    for (const ms of [5, 6, 7, 300]) pool.types[0]!.allocateMs.add(ms);
    alerts.evaluate();
    expect(seen).toMatchObject([{ name: "allocation_p95", type: "default", state: "firing", value: 300, threshold: 100 }]);
  });
});
