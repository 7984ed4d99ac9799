import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createResourceMonitorHook, effectiveLimits, limitBreach } from "../../src/hooks/builtin/resource-monitor.js";
import { hooksConfigSchema } from "../../src/hooks/config.js";
import { parseProcStat, sampleProcessTree } from "../../src/hooks/monitor/proc-tree.js";
import { createHookPipeline } from "../../src/hooks/pipeline.js";
import type { HookResourceLimits } from "../../src/hooks/types.js";
import { FIXTURES, makeCtx, runReal } from "./helpers.js";

const monitorConfig = (over: Record<string, unknown> = {}) => hooksConfigSchema.parse({ "resource-monitor": over })["resource-monitor"];
const ctxWith = (resourceLimits: HookResourceLimits) => makeCtx({ command: { name: "hog", permissions: [], riskLevel: "low", resourceLimits } });

/** Spawns a real detached process tree and watches it the way the engine will. */
async function watch(args: string[], limits: HookResourceLimits) {
  const child = runReal("bash", ["-c", args.join(" ")], { detached: true });
  const reasons: string[] = [];
  const pipeline = createHookPipeline([createResourceMonitorHook(monitorConfig({ sample_interval_ms: 50 }))]);
  const monitor = pipeline.onSpawn(ctxWith(limits), {
    pid: child.pid,
    kill: (reason) => {
      reasons.push(reason);
      process.kill(-child.pid, "SIGKILL");
    },
  });
  const ran = await child.done;
  const annotations = (await monitor.stop())["resource-monitor"] as Record<string, unknown>;
  return { ran, reasons, annotations };
}

describe("resource-monitor", () => {
  it("parses /proc stat lines whose command name has spaces and parentheses", () => {
    const line = "4242 (my (weird) prog) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 10 5 20 0 1 0 100 1000 50";
    expect(parseProcStat(line)).toEqual({ pid: 4242, state: "S", ppid: 1, pgrp: 4242, cpuMs: 3150 });
  });

  it("samples a real process tree including grandchildren", async () => {
    const child = runReal("bash", ["-c", `node ${join(FIXTURES, "alloc.mjs")} 64 & wait`], { detached: true });
    let sample = await sampleProcessTree(child.pid);
    for (let i = 0; i < 200 && sample.rssBytes < 64 * 1024 * 1024; i++) {
      await new Promise((r) => setTimeout(r, 25));
      sample = await sampleProcessTree(child.pid);
    }
    expect(sample.pids.length).toBeGreaterThanOrEqual(2);
    expect(sample.pids[0]).toBe(child.pid);
    expect(sample.rssBytes).toBeGreaterThan(64 * 1024 * 1024);
    process.kill(-child.pid, "SIGKILL");
    await child.done;
  });

  it("kills a tree that allocates past max_memory_mb, with a clear reason", async () => {
    const { ran, reasons, annotations } = await watch([`node ${join(FIXTURES, "alloc.mjs")} 1024; echo unreachable`], { max_memory_mb: 96 });
    expect(ran.signal).toBe("SIGKILL");
    expect(ran.stdout).not.toContain("unreachable");
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^killed: memory \d+ MiB exceeded max_memory_mb 96$/);
    expect(annotations.killed).toBe(reasons[0]);
    expect(annotations.peak_rss_mb as number).toBeGreaterThan(96);
  });

  it("kills a tree that exceeds max_cpu_time", async () => {
    const { ran, reasons, annotations } = await watch([`node ${join(FIXTURES, "burn-cpu.mjs")} 60`], { max_cpu_time: 1 });
    expect(ran.signal).toBe("SIGKILL");
    expect(reasons[0]).toMatch(/^killed: cpu time \d+\.\d\d s exceeded max_cpu_time 1$/);
    expect(annotations.cpu_time_ms as number).toBeGreaterThan(1000);
  });

  it("records peaks and leaves a command within its limits alone", async () => {
    const { ran, reasons, annotations } = await watch([`node ${join(FIXTURES, "alloc.mjs")} 32 & sleep 1; kill %1; wait; exit 0`], { max_memory_mb: 512 });
    expect(ran.code).toBe(0);
    expect(reasons).toEqual([]);
    expect(annotations.killed).toBeUndefined();
    expect(annotations.samples as number).toBeGreaterThan(0);
    expect(annotations.peak_rss_mb as number).toBeGreaterThan(20);
    expect(annotations.limits).toEqual({ max_memory_mb: 512, max_cpu_time: null });
  });

  it("config ceilings only make limits stricter", () => {
    expect(effectiveLimits(ctxWith({ max_memory_mb: 512 }), monitorConfig({ max_memory_mb: 256 }))).toEqual({ maxMemoryMb: 256 });
    expect(effectiveLimits(ctxWith({ max_memory_mb: 128 }), monitorConfig({ max_memory_mb: 256, max_cpu_time: 10 }))).toEqual({ maxMemoryMb: 128, maxCpuTimeS: 10 });
    expect(limitBreach({ pids: [1], rssBytes: 100 * 1024 * 1024, cpuMs: 0 }, { maxMemoryMb: 100 })).toBeUndefined();
    expect(limitBreach({ pids: [1], rssBytes: 100 * 1024 * 1024 + 1, cpuMs: 0 }, { maxMemoryMb: 100 })).toMatch(/memory/);
  });
});
