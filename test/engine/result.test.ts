import { describe, expect, it } from "vitest";
import { createFirebreak } from "../../src/firebreak.js";
import { invoke } from "../../src/engine/invoke.js";
import { explainVmKill } from "../../src/engine/result.js";
import type { VmRunner, VmRunOutcome } from "../../src/vm/run-request.js";
import { definition, isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";

const ended = (over: Partial<VmRunOutcome>): VmRunOutcome => ({
  exitCode: 0,
  signal: null,
  timedOut: false,
  durationMs: 40,
  stdout: "",
  stderr: "",
  stdoutBytes: 0,
  stderrBytes: 0,
  details: { backend: "qemu", vm: "fake", shape: { memoryMb: 256 } },
  ...over,
});

/** A VM runner that "runs" every script by answering `outcome`. */
const vmAnswering = (outcome: VmRunOutcome): VmRunner => ({
  availability: async () => ({ available: true, reason: "test runner", backend: "qemu" }),
  run: async () => outcome,
});

async function context(vm: VmRunner) {
  const project = tempDir("fb-proj-");
  writeTree(project, {
    ".firebreak/commands/spin.md": definition("spin", "execution_mode: firecracker\nresource_limits:\n  max_cpu_time: 2\n", "echo spin"),
  });
  const ctx = await createFirebreak({ cwd: project, env: isolatedEnv(tempDir("fb-home-")) }, { vm: () => vm });
  return { ctx, project };
}

describe("VM kills are explained as local ones are", () => {
  it("exit 152 (SIGXCPU through the shell) names max_cpu_time", async () => {
    const { ctx, project } = await context(vmAnswering(ended({ exitCode: 152 })));
    const outcome = await invoke(ctx, { kind: "command", name: "spin", args: [] }, { cwd: project });
    expect(outcome).toMatchObject({ kind: "completed", result: { exitCode: 152, killReason: "killed: cpu time exceeded max_cpu_time 2 (SIGXCPU in the microVM)" } });
    expect(ctx.audit!.tail(1)[0]).toMatchObject({ extra: { kill_reason: "killed: cpu time exceeded max_cpu_time 2 (SIGXCPU in the microVM)" } });
  });

  it("SIGKILL in the guest names its memory; a timeout says so; a clean exit says nothing", () => {
    const details = { shape: { memoryMb: 256 } };
    expect(explainVmKill(ended({ exitCode: 137, signal: "SIGKILL" }), undefined, details)).toBe(
      "killed (SIGKILL) in the microVM: most likely its out-of-memory killer, the guest has 256 MiB (max_memory_mb)",
    );
    expect(explainVmKill(ended({ exitCode: 137 }), undefined, details)).toMatch(/out-of-memory/);
    expect(explainVmKill(ended({ exitCode: null as unknown as number, signal: "SIGXCPU" }), { max_cpu_time: 1 }, details)).toBe("killed: cpu time exceeded max_cpu_time 1 (SIGXCPU in the microVM)");
    expect(explainVmKill(ended({ exitCode: 124, timedOut: true, durationMs: 5000 }), undefined, details)).toBe("timed out after 5000 ms in the microVM");
    expect(explainVmKill(ended({ exitCode: 3 }), undefined, details)).toBeUndefined();
    expect(explainVmKill(ended({ exitCode: 130, cancelled: true }), undefined, details)).toBeUndefined();
  });
});

describe("one result shape for host and VM runs", () => {
  it("has the same keys in the same order, vm null on the host", async () => {
    const { ctx, project } = await context(vmAnswering(ended({ stdout: "spin\n", stdoutBytes: 5 })));
    const vm = await invoke(ctx, { kind: "command", name: "spin", args: [] }, { cwd: project });
    const local = await invoke(ctx, { kind: "command", name: "hello-world", args: [] }, { cwd: project });
    if (vm.kind !== "completed" || local.kind !== "completed") throw new Error("expected both to run");
    expect(Object.keys(vm.result)).toEqual(Object.keys(local.result));
    expect(vm.result).toMatchObject({ placement: "vm", cancelled: false, killReason: null, stdoutTruncated: false, vm: { backend: "qemu" } });
    expect(local.result).toMatchObject({ placement: "local", cancelled: false, killReason: null, stdoutTruncated: false, vm: null });
  });
});
