import { describe, expect, it } from "vitest";
import { createFirebreak } from "../../src/firebreak.js";
import { planInvocation } from "../../src/engine/plan.js";
import { invoke } from "../../src/engine/invoke.js";
import { executePlan } from "../../src/engine/run.js";
import type { VmRunner } from "../../src/vm/run-request.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { VmError } from "../../src/errors.js";
import { isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";

/** A VM runner whose backend dies mid-run, as a killed QEMU would make the real one fail. */
const dyingVm: VmRunner = {
  availability: async () => ({ available: true, reason: "test runner", backend: "qemu" }),
  run: async () => {
    throw new VmError("agent channel closed while running command (VM exited)");
  },
};

async function context(toml: string, vm?: VmRunner) {
  const home = tempDir("fb-home-");
  const project = tempDir("fb-proj-");
  writeTree(project, { "firebreak.toml": toml });
  const out: string[] = [];
  const ctx = await createFirebreak({ cwd: project, env: isolatedEnv(home) }, vm ? { vm: () => vm } : {});
  const emit = (e: EngineEvent) => {
    if (e.type === "output" && e.stream === "stdout") out.push(String(e.chunk));
  };
  return { ctx, project, out, emit };
}

describe("executePlan", () => {
  it("audits a run whose VM fails, with the error, and rethrows it", async () => {
    const { ctx, project } = await context("", dyingVm);
    const plan = await planInvocation(ctx, { kind: "command", name: "deploy", args: ["staging"] }, { cwd: project });
    expect(plan.decision.placement).toBe("vm");
    await expect(executePlan(ctx, plan)).rejects.toThrow(VmError);
    const [record] = ctx.audit!.tail(1);
    expect(record).toMatchObject({ kind: "run", placement: "vm", exit_status: null, command: "deploy", extra: { error: expect.stringContaining("channel closed") } });
  });

  it("refuses an 'ask' line without a terminal or --yes, and runs it with --yes", async () => {
    const { ctx, project, out, emit } = await context('[vm]\nbackend = "none"\n[[policy.rules]]\nid = "confirm-echo"\naction = "ask"\npattern = "echo *"\nmatch = ["echo hi"]\n');
    const plan = await planInvocation(ctx, { kind: "shell", line: "echo hi" }, { cwd: project });
    expect(plan.decision.needsConfirmation).toBe(true);
    expect(await executePlan(ctx, plan)).toMatchObject({ kind: "refused", needsConfirmation: true });
    expect(ctx.audit!.tail(1)[0]).toMatchObject({ kind: "refused", reasons: ["needs confirmation; rerun with --yes or on a terminal"] });
    const yes = await planInvocation(ctx, { kind: "shell", line: "echo hi" }, { cwd: project, yes: true });
    expect(await executePlan(ctx, yes, { emit })).toMatchObject({ kind: "completed", result: { exitCode: 0 } });
    expect(out.join("")).toBe("hi\n");
  });

  it("asks on a terminal and honours the answer", async () => {
    const { ctx, project } = await context('[vm]\nbackend = "none"\n[[policy.rules]]\naction = "ask"\npattern = "echo *"\n');
    const questions: string[] = [];
    const plan = await planInvocation(ctx, { kind: "shell", line: "echo hi" }, { cwd: project, isTTY: true });
    const declining = async (q: string) => {
      questions.push(q);
      return false;
    };
    expect(await executePlan(ctx, plan, { prompt: declining })).toMatchObject({ kind: "refused", message: expect.stringMatching(/needs confirmation/) });
    expect(questions[0]).toContain("echo hi");
    const again = await planInvocation(ctx, { kind: "shell", line: "echo hi" }, { cwd: project, isTTY: true });
    expect(await executePlan(ctx, again, { prompt: async () => true })).toMatchObject({ kind: "completed", result: { exitCode: 0 } });
  });

  it("never runs a VM placement on the host when no backend is available", async () => {
    const { ctx, project } = await context('[vm]\nbackend = "none"\n');
    const plan = await planInvocation(ctx, { kind: "shell", line: "git reset --hard" }, { cwd: project });
    expect(plan.decision.placement).toBe("denied");
    expect(plan.decision.reasons.join(" ")).toMatch(/no VM backend is available/);
    expect(await executePlan(ctx, plan)).toMatchObject({ kind: "refused" });
  });
});

describe("invoke: the event stream and cancellation", () => {
  it("emits plan, hook, output and result in order, and returns the outcome as data", async () => {
    const { ctx, project } = await context('[vm]\nbackend = "none"\n');
    const events: EngineEvent[] = [];
    const outcome = await invoke(ctx, { kind: "shell", line: "echo one; echo two >&2" }, { cwd: project }, { emit: (e) => events.push(e) });
    expect(outcome).toMatchObject({ kind: "completed", result: { exitCode: 0, stdout: "one\n", stderr: "two\n" } });
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("plan");
    expect(types.at(-1)).toBe("result");
    expect(types.indexOf("hook")).toBeLessThan(types.indexOf("output"));
    const output = events.flatMap((e) => (e.type === "output" ? [`${e.stream}:${e.chunk}`] : []));
    expect(output.sort()).toEqual(["stderr:two\n", "stdout:one\n"]);
  });

  it("a refusal is an outcome (nothing runs) with a refused event", async () => {
    const { ctx, project } = await context('[vm]\nbackend = "none"\n');
    const events: EngineEvent[] = [];
    const outcome = await invoke(ctx, { kind: "shell", line: "rm -rf ~" }, { cwd: project }, { emit: (e) => events.push(e) });
    expect(outcome.kind).toBe("refused");
    expect(events.map((e) => e.type)).toEqual(["plan", "refused"]);
  });

  it("aborting the signal kills the command and audits the run as cancelled (exit 130)", async () => {
    const { ctx, project } = await context('[vm]\nbackend = "none"\n');
    const controller = new AbortController();
    const started = Date.now();
    const running = invoke(ctx, { kind: "shell", line: "sleep 30" }, { cwd: project }, { signal: controller.signal, emit: (e) => e.type === "hook" && e.phase === "pre" && setTimeout(() => controller.abort(), 200) });
    const outcome = await running;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(outcome).toMatchObject({ kind: "completed", result: { cancelled: true, exitCode: 130, killReason: "cancelled" } });
    expect(ctx.audit!.tail(1)[0]).toMatchObject({ kind: "cancelled", exit_status: 130, rendered: "sleep 30" });
  });

  it("plans only: audited as a dry run, nothing runs", async () => {
    const { ctx, project } = await context('[vm]\nbackend = "none"\n');
    const outcome = await invoke(ctx, { kind: "command", name: "hello-world", args: [] }, { cwd: project }, { planOnly: true });
    expect(outcome.kind).toBe("planned");
    expect(ctx.audit!.tail(1)[0]).toMatchObject({ kind: "dry_run", command: "hello-world" });
  });
});
