import { describe, expect, it } from "vitest";
import { invoke } from "../../src/engine/invoke.js";
import { planInvocation } from "../../src/engine/plan.js";
import { checkLines } from "../../src/engine/policy-check.js";
import { createFirebreak } from "../../src/firebreak.js";
import { vmConfigSchema } from "../../src/vm/config-schema.js";
import type { HostCapacity } from "../../src/vm/host-capacity.js";
import type { VmRunOutcome } from "../../src/vm/run-request.js";
import { MicroVmRunner } from "../../src/vm/runner.js";
import { VmRuntime } from "../../src/vm/runtime.js";
import { definition, isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";

/** The real runner's shape and fit judgement on a 24 GiB, 2-CPU host; a backend that is "available" but must never start. */
class FittingOnly extends MicroVmRunner {
  runs = 0;
  override availability = async () => ({ available: true, reason: "test runner", backend: "qemu" });
  override run = async (): Promise<VmRunOutcome> => {
    this.runs++;
    throw new Error("no VM may start in this test");
  };
}
const host24g: HostCapacity = { memTotalMb: 24576, cpus: 2 };

async function context(toml = "") {
  const project = tempDir("fb-proj-");
  writeTree(project, {
    "firebreak.toml": toml,
    ".firebreak/commands/huge.md": definition("huge", "execution_mode: firecracker\nresource_limits:\n  max_memory_mb: 32768\n", "echo huge"),
    ".firebreak/commands/small.md": definition("small", "execution_mode: firecracker\nresource_limits:\n  max_memory_mb: 512\n", "echo small"),
  });
  const home = tempDir("fb-home-");
  let runner: FittingOnly | undefined;
  const ctx = await createFirebreak({ cwd: project, env: isolatedEnv(home) }, {
    vm: (loaded) => {
      runner = new FittingOnly(new VmRuntime(vmConfigSchema.parse(loaded.config.vm), home), undefined, () => host24g);
      return runner;
    },
  });
  return { ctx, project, runner: runner! };
}

describe("a guest larger than the host can hold is refused at plan time", () => {
  it("a command whose resource_limits do not fit: denied with the reason, audited, no VM started", async () => {
    const { ctx, project, runner } = await context();
    const plan = await planInvocation(ctx, { kind: "command", name: "huge", args: [] }, { cwd: project });
    expect(plan.decision.placement).toBe("denied");
    expect(plan.decision.reasons[0]).toMatch(/^a microVM with 32768 MiB of RAM cannot be held by this host: .* of its 24576 MiB/);
    const outcome = await invoke(ctx, { kind: "command", name: "huge", args: [] }, { cwd: project });
    expect(outcome).toMatchObject({ kind: "refused", reasons: expect.arrayContaining([expect.stringMatching(/cannot be held by this host/)]) });
    expect(ctx.audit!.tail(1)[0]).toMatchObject({ kind: "refused", placement: "denied" });
    expect(runner.runs).toBe(0);
  });

  it("one that fits is placed in a VM as before", async () => {
    const { ctx, project } = await context();
    const plan = await planInvocation(ctx, { kind: "command", name: "small", args: [] }, { cwd: project });
    expect(plan.decision.placement).toBe("vm");
  });

  it("the role's vm_type counts: policy check refuses a VM-placed line for a role whose VM cannot fit", async () => {
    const { ctx, project } = await context('[vm_types.giant]\nmemory_mb = 30000\n\n[roles.big]\npermissions = ["read", "write", "execute"]\nrisk_ceiling = "high"\nvm_type = "giant"\n');
    const [vmLine, hostLine] = await checkLines(ctx, ["git reset --hard", "ls"], { cwd: project, role: "big" });
    expect(vmLine).toMatchObject({ placement: "denied" });
    expect(vmLine!.reasons.join("\n")).toMatch(/30000 MiB of RAM cannot be held/);
    expect(hostLine).toMatchObject({ placement: "local" }); // nothing to hold on the host
    const [asDeveloper] = await checkLines(ctx, ["git reset --hard"], { cwd: project });
    expect(asDeveloper).toMatchObject({ placement: "vm" });
  });
});
