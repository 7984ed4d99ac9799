import { afterEach, describe, expect, it } from "vitest";
import { VmCapacityError } from "../../../src/errors.js";
import { poolConfigSchema } from "../../../src/vm/pool/config-schema.js";
import { defaultMaxConcurrentVms } from "../../../src/vm/host-capacity.js";
import { VmPool } from "../../../src/vm/pool/vm-pool.js";
import { fakeVmWorld, shapeRuntime, until } from "./fake-vms.js";

const pools: VmPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.stop();
});

function makePool(config: Record<string, unknown>, extra: Partial<ConstructorParameters<typeof VmPool>[1]> = {}) {
  const world = fakeVmWorld();
  const runtime = shapeRuntime();
  const pool = new VmPool(runtime, { config: poolConfigSchema.parse(config), vmTypes: { small: { memory_mb: 128 } }, startVm: world.startVm, ...extra });
  pools.push(pool);
  return { pool, world, runtime };
}

describe("the VM pool", () => {
  it("fills each type to min_ready in the background", async () => {
    const { pool } = makePool({ min_ready: 2, types: ["default", "small"] });
    pool.start();
    await until(() => pool.types.every((t) => t.ready.length === 2));
    expect(pool.status().types.map((t) => [t.name, t.ready, t.in_use])).toEqual([["default", 2, 0], ["small", 2, 0]]);
  });

  it("lends a ready VM once, destroys it on release (no state crosses invocations) and refills", async () => {
    const { pool, world, runtime } = makePool({ min_ready: 1 });
    pool.start();
    await until(() => pool.types[0]!.ready.length === 1);
    const lease = await pool.acquire({ shape: runtime.shape(undefined) });
    expect(lease.origin).toBe("pool");
    expect(lease.poolType).toBe("default");
    expect(pool.types[0]!.inUse).toBe(1);
    await lease.release();
    await lease.release();
    expect(world.destroyed).toEqual([lease.vm.id]);
    await until(() => pool.types[0]!.ready.length === 1);
    expect(pool.types[0]!.ready[0]!.vm.id).not.toBe(lease.vm.id);
    expect(pool.types[0]!.inUse).toBe(0);
  });

  it("starts a lent VM's replacement only after the lease's first moments (it would slow the lent VM's first command)", async () => {
    const { pool, world, runtime } = makePool({ min_ready: 1 });
    pool.start();
    await until(() => pool.types[0]!.ready.length === 1);
    const startedBefore = world.started.length;
    const lease = await pool.acquire({ shape: runtime.shape(undefined) });
    await new Promise((r) => setTimeout(r, 20));
    expect(world.started.length).toBe(startedBefore); // not yet: the lease's command is starting
    await until(() => world.started.length === startedBefore + 1);
    await until(() => pool.types[0]!.ready.length === 1);
    await lease.release();
  });

  it("only a type whose shape fits the request serves it: never more memory than the limit, never a different network", async () => {
    const { pool, runtime } = makePool({ min_ready: 1, types: ["default", "small"], strategy: "first-available" });
    pool.start();
    await until(() => pool.types.every((t) => t.ready.length === 1));
    // A 128 MB limit: only "small" fits.
    const small = await pool.acquire({ shape: runtime.shape({ max_memory_mb: 128 }) });
    expect(small.poolType).toBe("small");
    await small.release();
    // Without limits both fit; first-available takes the first type listed.
    const any = await pool.acquire({ shape: runtime.shape(undefined) });
    expect(any.poolType).toBe("default");
    await any.release();
  });

  it("with nothing ready, starts a VM for the request (counted against max_total)", async () => {
    const { pool, world, runtime } = makePool({ min_ready: 0, max_total: 2 });
    pool.start();
    const lease = await pool.acquire({ shape: runtime.shape(undefined) });
    expect(lease.origin).toBe("restore");
    expect(world.started[0]).toBe(lease.vm.id);
    // The demand raised the type's target: a ready one follows, within max_total.
    await until(() => pool.types[0]!.ready.length === 1);
    expect(pool.types[0]!.total).toBe(2);
    await lease.release();
  });

  it("at max_total a request waits for a VM and gets the next one that is released and refilled", async () => {
    const { pool, runtime } = makePool({ min_ready: 1, max_total: 1 });
    pool.start();
    await until(() => pool.types[0]!.ready.length === 1);
    const first = await pool.acquire({ shape: runtime.shape(undefined) });
    let second: Awaited<ReturnType<VmPool["acquire"]>> | undefined;
    const waiting = pool.acquire({ shape: runtime.shape(undefined) }).then((l) => (second = l));
    await until(() => pool.types[0]!.waiting === 1);
    expect(second).toBeUndefined();
    await first.release();
    await waiting;
    expect(second?.vm.id).not.toBe(first.vm.id);
    await second?.release();
  });

  it("a burst of requests never starts more VMs at once than the parallel-start cap, and every request is served", async () => {
    const { pool, world, runtime } = makePool({ min_ready: 0, max_total: 30 }, { maxParallelStarts: 2 });
    world.startDelayMs = 20;
    pool.start();
    const leases = await Promise.all(Array.from({ length: 12 }, () => pool.acquire({ shape: runtime.shape(undefined) })));
    expect(new Set(leases.map((l) => l.vm.id)).size).toBe(12);
    expect(world.maxInFlight).toBe(2);
    for (const l of leases) await l.release();
  });

  it("beyond max_concurrent, requests queue with a visible position and time out with a capacity error", async () => {
    const { pool, runtime } = makePool({ min_ready: 2, max_total: 4, queue_timeout_ms: 50 }, { maxConcurrent: 1 });
    pool.start();
    await until(() => pool.types[0]!.ready.length === 2);
    const held = await pool.acquire({ shape: runtime.shape(undefined) });
    const ahead: number[] = [];
    await expect(pool.acquire({ shape: runtime.shape(undefined), onQueued: (n) => ahead.push(n) })).rejects.toThrow(VmCapacityError);
    expect(ahead).toEqual([0]);
    await held.release();
  });

  it("raises a type's ready VMs to recent demand (up to max_total) and lets them go when idle", async () => {
    let now = 1_000_000;
    const { pool, runtime } = makePool({ min_ready: 1, max_total: 4, idle_s: 10 }, { now: () => now });
    pool.start();
    await until(() => pool.types[0]!.ready.length === 1);
    const leases = [];
    for (let i = 0; i < 3; i++) leases.push(await pool.acquire({ shape: runtime.shape(undefined) }));
    for (const l of leases) await l.release();
    const type = pool.types[0]!;
    expect(type.targetReady(10)).toBe(3);
    await until(() => type.ready.length === 3);
    now += 11_000; // idle past idle_s
    expect(type.targetReady(10)).toBe(1);
    await pool.scaleDown();
    expect(type.ready.length).toBe(1);
  });

  it("keeps VMs added by warm for idle_s (housekeeping does not scale them down at once), then lets them go", async () => {
    let now = 1_000_000;
    const { pool } = makePool({ min_ready: 1, max_total: 8, idle_s: 10 }, { now: () => now });
    pool.start();
    const type = pool.types[0]!;
    await until(() => type.ready.length === 1);
    expect(await pool.warm("default", 4)).toMatchObject({ started: 4, failed: 0 });
    expect(type.ready.length).toBe(5);
    expect(type.targetReady(10)).toBe(5);
    await pool.scaleDown();
    expect(type.ready.length).toBe(5);
    now += 11_000;
    await pool.scaleDown();
    expect(type.ready.length).toBe(1);
  });

  it("a ready VM whose process dies is dropped, counted as a failure and replaced", async () => {
    const { pool, world } = makePool({ min_ready: 1 });
    pool.start();
    await until(() => pool.types[0]!.ready.length === 1);
    const dead = pool.types[0]!.ready[0]!.vm.id;
    world.kill(dead);
    await until(() => pool.types[0]!.ready.length === 1 && pool.types[0]!.ready[0]!.vm.id !== dead);
    expect(pool.types[0]!.failures.count()).toBe(1);
  });

  it("stop destroys every ready VM and refuses new requests", async () => {
    const { pool, world, runtime } = makePool({ min_ready: 2 });
    pool.start();
    await until(() => pool.types[0]!.ready.length === 2);
    await pool.stop();
    expect(world.destroyed.sort()).toEqual(world.started.sort());
    await expect(pool.acquire({ shape: runtime.shape(undefined) })).rejects.toThrow(/stopping/);
  });

  it("refuses a [pool] types entry that names no VM type", () => {
    expect(() => makePool({ types: ["default", "huge"] })).toThrow(/\[vm_types\.huge\]/);
  });

  it("derives the concurrency cap from host memory and CPUs", () => {
    expect(defaultMaxConcurrentVms({ memTotalMb: 24_576, cpus: 2 }, 256)).toBe(32);
    expect(defaultMaxConcurrentVms({ memTotalMb: 2048, cpus: 8 }, 256)).toBe(3);
    expect(defaultMaxConcurrentVms({ memTotalMb: 2048, cpus: 8 }, 65_536)).toBe(1);
  });
});
