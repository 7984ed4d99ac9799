/** Each allocation strategy lending real pooled microVMs (QEMU under TCG): restored, reseeded, warmed, then used once. */
import fs from "node:fs";
import os from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { resolvePaths } from "../../../src/paths.js";
import { vmConfigSchema } from "../../../src/vm/config-schema.js";
import { poolConfigSchema, STRATEGIES } from "../../../src/vm/pool/config-schema.js";
import { VmPool } from "../../../src/vm/pool/vm-pool.js";
import { VmRuntime } from "../../../src/vm/runtime.js";
import { BACKGROUND_NICE, mayRunInBackground } from "../../../src/vm/vmm-priority.js";
import { reportMissingVmEnv, vmTestEnv } from "../qemu/vm-env.js";
import { until } from "./fake-vms.js";

const threadNices = (pid: number) => fs.readdirSync(`/proc/${pid}/task`).map((tid) => os.getPriority(Number(tid)));

const VM_TIMEOUT_MS = 180_000;
const env = await vmTestEnv();
reportMissingVmEnv(env, "pooled microVMs");

const pools: VmPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.stop();
});

describe.runIf(env.ok)("pooled microVMs (real QEMU)", { timeout: VM_TIMEOUT_MS }, () => {
  const runtime = new VmRuntime(vmConfigSchema.parse({ backend: "qemu" }), resolvePaths(process.env).stateDir);

  for (const strategy of STRATEGIES) {
    it(`${strategy} allocates a warm VM that runs a command, then destroys it`, async () => {
      const pool = new VmPool(runtime, { config: poolConfigSchema.parse({ strategy, min_ready: 1, max_total: 2 }), vmTypes: {} });
      pools.push(pool);
      pool.start();
      await until(() => pool.types[0]!.ready.length === 1, 60_000);
      const ready = pool.types[0]!.ready[0]!;
      expect(ready.warmMs).toBeGreaterThan(0);
      // A refill is background work (nice 10) until it is lent; then every thread of its VMM runs at 0.
      if (mayRunInBackground()) expect(new Set(threadNices(ready.vm.pid!))).toEqual(new Set([BACKGROUND_NICE]));
      const lease = await pool.acquire({ shape: runtime.shape(undefined) });
      expect(new Set(threadNices(lease.vm.pid!))).toEqual(new Set([0]));
      expect(lease.origin).toBe("pool");
      expect(lease.vm.id).toBe(ready.vm.id);
      let out = "";
      const r = await lease.agent.exec({ script: "echo pooled; ls -A /work /tmp", cwd: "/", clearEnv: true, env: { PATH: "/usr/bin:/bin" } }, { onStdout: (c) => (out += c) });
      expect(r.exitCode).toBe(0);
      // The warm-up left nothing behind.
      expect(out).toContain("pooled");
      expect(out).not.toContain("firebreak-warm-up");
      const pid = lease.vm.pid!;
      await lease.release();
      expect(() => process.kill(pid, 0)).toThrow();
      expect(pool.status().types[0]!.allocations).toBe(1);
    });
  }
});
