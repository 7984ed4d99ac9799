import { describe, expect, it } from "vitest";
import { analyzeBoot, medianOf } from "../../../src/vm/phases/analyze.js";
import type { BootPhaseRecord } from "../../../src/vm/phases/record.js";

let clock = 0;
/** A record with controlled phases; quiet host unless said otherwise. */
function rec(kind: BootPhaseRecord["kind"], phases: BootPhaseRecord["phases"], more: Partial<BootPhaseRecord> = {}): BootPhaseRecord {
  return {
    at: new Date(1_700_000_000_000 + clock++ * 1000).toISOString(),
    backend: "qemu",
    accel: "tcg",
    kind,
    shape: { vcpus: 1, memoryMb: 256 },
    phases,
    total_ms: Math.max(...Object.values(phases)),
    load1: 0.2,
    cpus: 2,
    ...more,
  };
}
const boot = (kernel: number, init: number, agent: number, more: Partial<BootPhaseRecord> = {}) => rec("boot", { spawn: 0, vmm_ready: 10, kernel_start: kernel, init, agent_ready: agent }, more);
const restore = (restored: number, agent: number, more: Partial<BootPhaseRecord> = {}) => rec("restore", { spawn: 0, vmm_ready: 10, restore: restored, agent_ready: agent }, more);

describe("analyzeBoot", () => {
  it("gives each phase's duration since the previous phase, its median over comparable boots and the ratio", () => {
    const history = [boot(100, 500, 600), boot(110, 520, 620), boot(90, 480, 580)];
    const a = analyzeBoot(boot(100, 900, 1000), history);
    expect(a.compared).toBe(3);
    expect(a.phases.map((p) => [p.phase, p.at_ms, p.duration_ms, p.median_ms, p.ratio])).toEqual([
      ["spawn", 0, 0, 0, undefined],
      ["vmm_ready", 10, 10, 10, 1],
      ["kernel_start", 100, 90, 90, 1],
      ["init", 900, 800, 400, 2],
      ["agent_ready", 1000, 100, 100, 1],
    ]);
    expect(a.slowest).toBe("init");
    expect(a.phases.filter((p) => p.slowest).map((p) => p.phase)).toEqual(["init"]);
    expect(a.ready).toEqual({ ms: 1000, median_ms: 600, ratio: 1.67 });
  });

  it("compares only records of the same kind, backend and shape, the last n of them", () => {
    const history = [
      boot(100, 500, 600, { shape: { vcpus: 2, memoryMb: 256 } }),
      boot(100, 500, 600, { backend: "firecracker" }),
      restore(60, 70),
      boot(100, 500, 5000), // older than the last 2: left out with n = 2
      boot(100, 500, 600),
      boot(100, 500, 620),
    ];
    const a = analyzeBoot(boot(100, 500, 610), history, 2);
    expect(a.compared).toBe(2);
    expect(a.phases.find((p) => p.phase === "agent_ready")!.median_ms).toBe(110);
  });

  it("without history the slowest is the longest phase, and under TCG kernel start and init are emulated CPU", () => {
    const a = analyzeBoot(boot(150, 700, 760), []);
    expect(a.compared).toBe(0);
    expect(a.slowest).toBe("init");
    expect(a.phases.find((p) => p.phase === "init")!.cause).toBe("no usable KVM: the guest CPU is emulated (TCG)");
    expect(a.notes).toContain("no earlier boot of this shape on qemu to compare with");
    // The same boot with KVM has no cause to name.
    expect(analyzeBoot(boot(150, 700, 760, { accel: "kvm" }), []).phases.find((p) => p.phase === "init")!.cause).toBeUndefined();
  });

  it("names a loaded host", () => {
    const history = [restore(60, 72), restore(62, 75), restore(58, 70)];
    const a = analyzeBoot(restore(140, 152, { load1: 5.5, cpus: 2, accel: "kvm" }), history);
    expect(a.slowest).toBe("restore");
    expect(a.phases.find((p) => p.phase === "restore")!.cause).toBe("host loaded: load 5.5 on 2 CPUs");
    // The same restore on a quiet host: slow, but no known cause.
    expect(analyzeBoot(restore(140, 152, { accel: "kvm" }), history).phases.find((p) => p.phase === "restore")!.cause).toBeUndefined();
  });

  it("names the first restore of a template just made", () => {
    const history = [restore(60, 72), restore(62, 75)];
    const a = analyzeBoot(restore(300, 315, { template_created: true, accel: "kvm" }), history);
    expect(a.slowest).toBe("restore");
    expect(a.phases.find((p) => p.phase === "restore")!.cause).toMatch(/^first restore of a template just made: its RAM is read from disk/);
  });

  it("agent_ready slow after a restore under TCG: re-translation; no warm-up is noted", () => {
    const history = [restore(60, 72), restore(62, 75), restore(58, 70)];
    const a = analyzeBoot(restore(61, 140), history);
    expect(a.slowest).toBe("agent_ready");
    expect(a.phases.find((p) => p.phase === "agent_ready")!.cause).toBe("first guest code after restore is re-translated by TCG");
    expect(a.notes).toContain("no warm-up: the first command after this restore pays for re-translating the guest's code");
    // With a warm-up phase, nothing to note.
    expect(analyzeBoot(rec("restore", { spawn: 0, vmm_ready: 10, restore: 61, agent_ready: 74, warm_up: 130 }), history).notes).toEqual([]);
  });

  it("a phase a little over its median is noise: the slowest is then the longest phase", () => {
    const a = analyzeBoot(restore(63, 76, { accel: "kvm" }), [restore(60, 72), restore(62, 75)]);
    expect(a.slowest).toBe("restore"); // 53 ms, the longest; only 2 ms over its median
    expect(a.phases.find((p) => p.slowest)!.cause).toBeUndefined();
    // 7 ms (x1.1) over a 70 ms VMM start while the rest was faster than usual: the longest phase is the slowest.
    const b = analyzeBoot(rec("boot", { spawn: 0, vmm_ready: 77, kernel_start: 400, init: 1420, agent_ready: 1633 }), [rec("boot", { spawn: 0, vmm_ready: 70, kernel_start: 1685, init: 4235, agent_ready: 4815 })]);
    expect(b.slowest).toBe("init");
  });

  it("medianOf takes the middle, or the mean of the middle two", () => {
    expect(medianOf([5, 1, 3])).toBe(3);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
  });
});
