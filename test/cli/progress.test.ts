import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildStage, elapsedText, Progress } from "../../src/cli/view/progress.js";
import { RunView } from "../../src/cli/view/run-view.js";
import type { PlanView } from "../../src/engine/types.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const output = { out: () => {}, err: () => {}, json: () => {}, color: false };

function vmPlan(): PlanView {
  const decision = { risk: "high", placement: "vm", reasons: ["hybrid: risk high is above the local ceiling low: runs in a microVM"], segments: [], rules: [], concepts: { matched: [], missing: [] }, permissions: { required: [], granted: [], missing: [] }, hooks: [] };
  return { id: "p", command: "deploy", role: "developer", user: "u", parameters: {}, rendered: "true", decision } as unknown as PlanView;
}

function view(tty: boolean) {
  const stderr: string[] = [];
  const v = new RunView(output, { json: false, planOnly: false, progress: { tty }, write: { stdout: () => {}, stderr: (c) => stderr.push(String(c)) } });
  return { v, stderr };
}

describe("progress while a microVM starts", () => {
  it("without a terminal: a plain 'still starting' line only when the start is silent for 2 s", () => {
    const slow = view(false);
    slow.v.onEvent({ type: "plan", plan: vmPlan() });
    vi.advanceTimersByTime(2100);
    expect(slow.stderr.join("")).toMatch(/^firebreak: still starting the microVM \(a VM shape's first use makes its template snapshot\) · 2\.\d s\n$/);
    slow.v.onEvent({ type: "vm_phase", phase: "ready", ms: 2500 });
    vi.advanceTimersByTime(10_000);
    expect(slow.stderr).toHaveLength(1);

    const fast = view(false);
    fast.v.onEvent({ type: "plan", plan: vmPlan() });
    vi.advanceTimersByTime(500);
    fast.v.onEvent({ type: "vm_phase", phase: "ready", ms: 400 });
    vi.advanceTimersByTime(10_000);
    expect(fast.stderr).toEqual([]);
  });

  it("on a terminal: one line redrawn in place with the elapsed time, erased when the VM is ready", () => {
    const t = view(true);
    t.v.onEvent({ type: "plan", plan: vmPlan() });
    vi.advanceTimersByTime(1000);
    const drawn = t.stderr.join("");
    expect(drawn).toContain("\r\x1b[2Kfirebreak: starting the microVM");
    expect(drawn).toContain("· 1.0 s");
    expect(drawn).not.toContain("\n");
    t.v.onEvent({ type: "vm_phase", phase: "ready", ms: 1000 });
    expect(t.stderr.at(-1)).toBe("\r\x1b[2K");
  });
});

describe("progress of a guest-image build", () => {
  it("keeps the stage and the elapsed time; plain heartbeats every 30 s without a terminal", () => {
    const lines: string[] = [];
    let now = 0;
    const p = new Progress({ tty: false, prefix: "firebreak image", write: (t) => lines.push(t), heartbeatMs: 30_000, now: () => now });
    p.stage(buildStage("firebreak kernel: building bzImage + vmlinux with make -j2 (first build takes minutes)"));
    now = 30_000;
    vi.advanceTimersByTime(30_000);
    now = 272_000;
    vi.advanceTimersByTime(30_000);
    p.stop();
    vi.advanceTimersByTime(60_000);
    expect(lines).toEqual([
      "firebreak image: still building bzImage + vmlinux with make -j2 (first build takes minutes) · 30.0 s\n",
      "firebreak image: still building bzImage + vmlinux with make -j2 (first build takes minutes) · 4m32s\n",
    ]);
  });

  it("buildStage strips the prefix and control characters; elapsedText reads like a clock", () => {
    expect(buildStage("firebreak image: building the guest agent\x1b[31m")).toBe("building the guest agent [31m");
    expect(elapsedText(4200)).toBe("4.2 s");
    expect(elapsedText(185_000)).toBe("3m05s");
  });
});
