import { describe, expect, it } from "vitest";
import { vmConfigSchema } from "../../src/vm/config-schema.js";
import { defaultMaxConcurrentVms, guestFitProblem, hostCapacity, VMM_OVERHEAD_MB } from "../../src/vm/host-capacity.js";
import { MicroVmRunner } from "../../src/vm/runner.js";
import { VmRuntime } from "../../src/vm/runtime.js";
import { tempDir } from "../helpers/tmp.js";

const host24g = { memTotalMb: 24576, memAvailableMb: 18000, cpus: 2 };

describe("hostCapacity", () => {
  it("reads MemTotal and MemAvailable from /proc/meminfo text", () => {
    const cap = hostCapacity("MemTotal:       25165824 kB\nMemFree:         1000000 kB\nMemAvailable:   18432000 kB\n");
    expect(cap).toMatchObject({ memTotalMb: 24576, memAvailableMb: 18000 });
    expect(cap.cpus).toBeGreaterThan(0);
  });

  it("falls back to os.totalmem without /proc/meminfo, and reads this host", () => {
    expect(hostCapacity("").memTotalMb).toBeGreaterThan(0);
    expect(hostCapacity("").memAvailableMb).toBeUndefined();
    expect(hostCapacity().memTotalMb).toBeGreaterThan(0);
  });
});

describe("guestFitProblem", () => {
  it("refuses a guest larger than 90% of the host's memory, with the numbers", () => {
    expect(guestFitProblem({ memoryMb: 32768, vcpus: 1 }, host24g)).toBe(
      `a microVM with 32768 MiB of RAM cannot be held by this host: 32768 MiB + ${VMM_OVERHEAD_MB} MiB for the VMM is more than 90% of its 24576 MiB (at most 22054 MiB)`,
    );
    expect(guestFitProblem({ memoryMb: 22054, vcpus: 1 }, host24g)).toBeUndefined();
    expect(guestFitProblem({ memoryMb: 22055, vcpus: 1 }, host24g)).toMatch(/cannot be held/);
    expect(guestFitProblem({ memoryMb: 256, vcpus: 1 }, host24g)).toBeUndefined();
  });

  it("refuses more vCPUs than the guest kernel supports or four per host CPU", () => {
    expect(guestFitProblem({ memoryMb: 256, vcpus: 9 }, { memTotalMb: 65536, cpus: 64 })).toMatch(/the guest kernel supports at most 8/);
    expect(guestFitProblem({ memoryMb: 256, vcpus: 5 }, { memTotalMb: 65536, cpus: 1 })).toBe("a microVM with 5 vCPUs cannot be held by this host: more than 4 per host CPU (1 CPU, at most 4)");
    expect(guestFitProblem({ memoryMb: 256, vcpus: 8 }, host24g)).toBeUndefined();
  });
});

describe("defaultMaxConcurrentVms", () => {
  it("is half the host's memory in VMs of that size, at most 16 per CPU, at least 1", () => {
    expect(defaultMaxConcurrentVms(host24g, 256)).toBe(32); // min(floor(12288 / 320) = 38, 32)
    expect(defaultMaxConcurrentVms(host24g, 2048)).toBe(5); // floor(12288 / 2112)
    expect(defaultMaxConcurrentVms({ memTotalMb: 512, cpus: 1 }, 4096)).toBe(1);
  });
});

describe("MicroVmRunner.fitProblem", () => {
  it("judges the shape the runtime would build: the command's limits over the vm_type over [vm]", () => {
    const runner = new MicroVmRunner(new VmRuntime(vmConfigSchema.parse({ memory_mb: 256 }), tempDir()), undefined, () => host24g);
    expect(runner.fitProblem(undefined)).toBeUndefined();
    expect(runner.fitProblem({ max_memory_mb: 32768, network_access: false })).toMatch(/32768 MiB of RAM cannot be held/);
    expect(runner.fitProblem(undefined, { memory_mb: 30000 })).toMatch(/30000 MiB of RAM cannot be held/);
    expect(runner.fitProblem({ max_memory_mb: 512, network_access: false }, { memory_mb: 30000 })).toBeUndefined();
  });
});
