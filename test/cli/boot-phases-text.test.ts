import { describe, expect, it } from "vitest";
import { bootAnalysisText } from "../../src/cli/view/boot-phases-text.js";
import { analyzeBoot } from "../../src/vm/phases/analyze.js";
import type { BootPhaseRecord } from "../../src/vm/phases/record.js";

const restore = (restored: number, agent: number, warm?: number): BootPhaseRecord => ({
  at: "2025-01-01T00:00:00.000Z",
  backend: "qemu",
  accel: "tcg",
  kind: "restore",
  shape: { vcpus: 1, memoryMb: 256 },
  phases: { spawn: 0, vmm_ready: 10, restore: restored, agent_ready: agent, ...(warm ? { warm_up: warm } : {}) },
  total_ms: warm ?? agent,
  load1: 0.5,
  cpus: 2,
});

describe("bootAnalysisText", () => {
  it("prints the VM line, the phases with medians and ratios, and marks the slowest with its cause", () => {
    const analysis = analyzeBoot(restore(61, 140), [restore(60, 72), restore(62, 75), restore(58, 70)]);
    expect(bootAnalysisText({ color: false }, { vm: "abc123", analysis })).toBe(
      [
        "restored VM abc123 with qemu (tcg), 1 vCPU, 256 MiB: agent ready in 140 ms (median of the last 3: 72 ms, x1.94)",
        "PHASE        AT MS  TOOK MS  MEDIAN MS  RATIO",
        "spawn        0      0        0          -",
        "vmm_ready    10     10       10         1.00",
        "restore      61     51       50         1.02",
        "agent_ready  140    79       12         6.58   <- slowest: first guest code after restore is re-translated by TCG",
        "note: no warm-up: the first command after this restore pays for re-translating the guest's code",
      ].join("\n"),
    );
  });

  it("without history: no medians, the note says so; colour only on the mark", () => {
    const analysis = analyzeBoot(restore(61, 74, 120), []);
    const text = bootAnalysisText({ color: true }, { vm: "v1", analysis });
    expect(text.split("\n")[0]).toBe("restored VM v1 with qemu (tcg), 1 vCPU, 256 MiB: agent ready in 74 ms");
    expect(text).toContain("\x1b[33m<- slowest");
    expect(text).toContain("warm_up      120    46       -          -");
    expect(text).toContain("note: no earlier restore of this shape on qemu to compare with");
  });
});
