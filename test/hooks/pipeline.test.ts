import { describe, expect, it } from "vitest";
import { createHookPipeline } from "../../src/hooks/pipeline.js";
import type { HookContext } from "../../src/hooks/types.js";
import { fakeHook, makeCtx } from "./helpers.js";

const high = (over: Partial<HookContext> = {}) => makeCtx({ decision: { risk: "high", placement: "vm", reasons: [] }, ...over });

describe("hook pipeline", () => {
  it("runs hooks by priority, higher first, ties by name", async () => {
    const order: string[] = [];
    const hook = (name: string, priority: number) => fakeHook(name, priority, () => {
      order.push(name);
      return { action: "continue" };
    });
    const p = createHookPipeline([hook("b", 1), hook("z", 5), hook("a", 1), hook("m", 10)]);
    const res = await p.runPre(makeCtx());
    expect(order).toEqual(["m", "z", "a", "b"]);
    expect(res.records.map((r) => r.name)).toEqual(["m", "z", "a", "b"]);
    expect(p.list().filter((r) => r.phase === "pre").map((r) => r.name)).toEqual(["m", "z", "a", "b"]);
  });

  it("stops at the first block and reports its reason", async () => {
    const ran: string[] = [];
    const p = createHookPipeline([
      fakeHook("first", 10, () => {
        ran.push("first");
        return { action: "block", reason: "not today" };
      }),
      fakeHook("second", 1, () => {
        ran.push("second");
        return { action: "continue" };
      }),
    ]);
    const res = await p.runPre(makeCtx());
    expect(res.blocked).toBe(true);
    expect(res.reason).toBe("hook first: not today");
    expect(ran).toEqual(["first"]);
    expect(res.records).toEqual([expect.objectContaining({ name: "first", phase: "pre", action: "block", message: "not today" })]);
  });

  it("merges env from modify outcomes and keeps annotations by hook name", async () => {
    const p = createHookPipeline([
      fakeHook("a", 2, () => ({ action: "modify", env: { A: "1", SHARED: "from-a" }, annotations: { x: 1 } })),
      fakeHook("b", 1, () => ({ action: "modify", env: { SHARED: "from-b" } })),
    ]);
    const res = await p.runPre(makeCtx());
    expect(res.blocked).toBe(false);
    expect(res.env).toEqual({ A: "1", SHARED: "from-b" });
    expect(res.annotations).toEqual({ a: { x: 1 } });
    expect(res.records.map((r) => r.action)).toEqual(["modify", "modify"]);
  });

  it("blocks a high-risk command when a pre-hook throws, and only warns for a low-risk one", async () => {
    const warnings: string[] = [];
    const p = createHookPipeline([fakeHook("broken", 1, () => Promise.reject(new Error("boom")))], {
      log: (_level, m) => warnings.push(m),
    });
    const hi = await p.runPre(high());
    expect(hi.blocked).toBe(true);
    expect(hi.reason).toMatch(/hook broken failed: boom/);
    expect(hi.records[0]).toMatchObject({ action: "error", message: "failed: boom" });

    const lo = await p.runPre(makeCtx());
    expect(lo.blocked).toBe(false);
    expect(lo.records[0]).toMatchObject({ action: "warn" });
    expect(lo.records[0]?.message).toMatch(/boom/);
    expect(warnings).toHaveLength(1);
  });

  it("honours failClosedAtRisk", async () => {
    const p = createHookPipeline([fakeHook("broken", 1, () => Promise.reject(new Error("boom")))], { failClosedAtRisk: "medium" });
    const res = await p.runPre(makeCtx({ decision: { risk: "medium", placement: "local", reasons: [] } }));
    expect(res.blocked).toBe(true);
  });

  it("times out a hanging hook: blocks at high risk, warns at low, and aborts its signal", async () => {
    let aborted = 0;
    const hang = fakeHook("hang", 1, () => new Promise(() => {}), {
      timeoutMs: 50,
      run: (_ctx, signal) =>
        new Promise(() => {
          signal?.addEventListener("abort", () => aborted++);
        }),
    });
    const p = createHookPipeline([hang]);
    const hi = await p.runPre(high());
    expect(hi.blocked).toBe(true);
    expect(hi.records[0]).toMatchObject({ name: "hang", action: "timeout" });
    expect(hi.reason).toMatch(/timed out after 50 ms/);
    const lo = await p.runPre(makeCtx());
    expect(lo.blocked).toBe(false);
    expect(lo.records[0]).toMatchObject({ action: "warn" });
    expect(aborted).toBe(2);
  });

  it("treats a malformed outcome as a hook error", async () => {
    const p = createHookPipeline([
      fakeHook("bad-action", 2, () => ({ action: "explode" }) as never),
      fakeHook("bad-env", 1, () => ({ action: "modify", env: { "NOT VALID": "x" } })),
    ]);
    const res = await p.runPre(makeCtx());
    expect(res.records.map((r) => r.action)).toEqual(["warn", "warn"]);
    expect(res.records[0]?.message).toMatch(/unknown action explode/);
    expect(res.records[1]?.message).toMatch(/invalid environment variable name/);
    expect(res.env).toEqual({});
    expect((await p.runPre(high())).blocked).toBe(true);
  });

  it("post-hooks see the result and cannot block", async () => {
    let seen: HookContext["result"];
    const p = createHookPipeline([
      fakeHook("observer", 2, (ctx) => {
        seen = ctx.result;
        return { action: "continue", annotations: { exit: ctx.result?.exitCode } };
      }),
      fakeHook("objector", 1, () => ({ action: "block", reason: "too late" })),
    ]);
    const result = { exitCode: 3, durationMs: 5, stdoutBytes: 10, stderrBytes: 2, timedOut: false, placement: "local" as const };
    const post = await p.runPost(makeCtx({ phase: "post", result }));
    expect(seen).toEqual(result);
    expect(post.annotations).toEqual({ observer: { exit: 3 } });
    expect(post.records[1]).toMatchObject({ name: "objector", phase: "post", action: "warn", message: "post-hook asked to block: too late" });
  });

  it("runs only the phases a hook declares and skips hooks whose matcher says no", async () => {
    const p = createHookPipeline([
      fakeHook("pre-only", 1, () => ({ action: "continue" }), { phases: ["pre"] }),
      fakeHook("deploy-only", 1, () => ({ action: "block", reason: "x" }), { matches: (c) => c.command.name === "deploy" }),
    ]);
    const post = await p.runPost(makeCtx({ phase: "post" }));
    expect(post.records.map((r) => r.name)).toEqual([]);
    const pre = await p.runPre(makeCtx());
    expect(pre.records.map((r) => r.name)).toEqual(["pre-only"]);
    expect((await p.runPre(makeCtx({ command: { name: "deploy", permissions: [], riskLevel: "low" } }))).blocked).toBe(true);
  });

  it("collects monitor results on stop, including a monitor that fails to start", async () => {
    const p = createHookPipeline([
      fakeHook("watch", 1, () => ({ action: "continue" }), { phases: [], onSpawn: (_c, proc) => ({ stop: async () => ({ pid: proc.pid }) }) }),
      fakeHook("broken", 1, () => ({ action: "continue" }), {
        phases: [],
        onSpawn: () => {
          throw new Error("no /proc");
        },
      }),
    ]);
    const monitor = p.onSpawn(makeCtx(), { pid: 4242, kill: () => {} });
    expect(await monitor.stop()).toEqual({ watch: { pid: 4242 }, broken: { error: "no /proc" } });
    expect(p.list().map((r) => `${r.phase}:${r.name}`)).toEqual(["spawn:broken", "spawn:watch"]);
  });

  it("refuses two hooks with the same name", () => {
    expect(() => createHookPipeline([fakeHook("x", 1, () => ({ action: "continue" })), fakeHook("x", 2, () => ({ action: "continue" }))])).toThrow(/two hooks are named x/);
  });
});
