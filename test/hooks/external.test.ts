import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hooksConfigSchema } from "../../src/hooks/config.js";
import { createExternalHook } from "../../src/hooks/external.js";
import { createHookPipeline } from "../../src/hooks/pipeline.js";
import { FIXTURES, makeCtx, tempDir } from "./helpers.js";

function external(over: Record<string, unknown>) {
  const cfg = hooksConfigSchema.parse({ external: [{ name: "ext", program: "./hook-block.sh", ...over }] });
  return createExternalHook(cfg.external[0]!, FIXTURES);
}

const highRisk = { risk: "high" as const, placement: "vm" as const, reasons: ["rm -rf"] };

describe("external hooks", () => {
  let dir: { path: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    delete process.env.HOOK_EVENT_FILE;
    delete process.env.HOOK_PID_FILE;
    await dir.cleanup();
  });

  it("exit 2 blocks with stderr as the reason, and the record says so", async () => {
    const p = createHookPipeline([external({ program: "./hook-block.sh" })]);
    const res = await p.runPre(makeCtx());
    expect(res.blocked).toBe(true);
    expect(res.reason).toBe("hook ext: deploys are frozen until Monday");
    expect(res.records).toEqual([expect.objectContaining({ name: "ext", action: "block", message: "deploys are frozen until Monday" })]);
  });

  it("receives the Claude Code style event on stdin, pre and post", async () => {
    const events = join(dir.path, "events.jsonl");
    const hook = createExternalHook(
      hooksConfigSchema.parse({ external: [{ name: "rec", program: join(FIXTURES, "hook-record.sh"), phases: ["pre", "post"], env: { HOOK_EVENT_FILE: events } }] }).external[0]!,
      "/",
    );
    const p = createHookPipeline([hook]);
    const ctx = makeCtx({ command: { name: "deploy", permissions: ["net"], riskLevel: "medium" }, parameters: { target: "staging" }, rendered: "./deploy.sh 'staging'", role: "ops", cwd: dir.path });
    expect((await p.runPre(ctx)).blocked).toBe(false);
    const result = { exitCode: 7, signal: null, durationMs: 12, stdoutBytes: 100, stderrBytes: 3, timedOut: false, placement: "local" as const };
    await p.runPost({ ...ctx, phase: "post", result });
    const [pre, post] = (await readFile(events, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(pre).toMatchObject({
      hook_event_name: "PreCommand",
      command: "deploy",
      parameters: { target: "staging" },
      rendered: "./deploy.sh 'staging'",
      decision: { risk: "low", placement: "local", reasons: [] },
      cwd: dir.path,
      role: "ops",
    });
    expect(pre.result).toBeUndefined();
    expect(post).toMatchObject({
      hook_event_name: "PostCommand",
      result: { exit_code: 7, signal: null, duration_ms: 12, stdout_bytes: 100, stderr_bytes: 3, timed_out: false, placement: "local" },
    });
  });

  it("exit 0 with JSON can block, or allow with env and annotations", async () => {
    const p = createHookPipeline([external({ program: "node", args: [join(FIXTURES, "hook-json.mjs")] })]);
    const blocked = await p.runPre(makeCtx({ command: { name: "deploy", permissions: [], riskLevel: "low" }, parameters: { target: "prod" }, role: "intern" }));
    expect(blocked.blocked).toBe(true);
    expect(blocked.reason).toBe("hook ext: no deploy to prod from intern");
    const allowed = await p.runPre(makeCtx({ parameters: { target: "staging" } }));
    expect(allowed.blocked).toBe(false);
    expect(allowed.env).toEqual({ DEPLOY_TARGET: "staging" });
    expect(allowed.annotations).toEqual({ ext: { checked: "PreCommand" } });
    expect(allowed.records[0]?.action).toBe("modify");
  });

  it("other exit codes are hook errors: block at high risk, warn at low", async () => {
    const p = createHookPipeline([external({ program: "./hook-fail.sh" })]);
    const hi = await p.runPre(makeCtx({ decision: highRisk }));
    expect(hi.blocked).toBe(true);
    expect(hi.records[0]).toMatchObject({ action: "error" });
    expect(hi.records[0]?.message).toMatch(/exited with status 1: hook crashed: missing config/);
    const lo = await p.runPre(makeCtx());
    expect(lo.blocked).toBe(false);
    expect(lo.records[0]?.action).toBe("warn");
  });

  it("invalid JSON on stdout is a hook error", async () => {
    const p = createHookPipeline([external({ program: "./hook-garbage.sh" })]);
    const res = await p.runPre(makeCtx({ decision: highRisk }));
    expect(res.blocked).toBe(true);
    expect(res.records[0]?.message).toMatch(/invalid JSON/);
  });

  it("a program that does not exist is a hook error", async () => {
    const p = createHookPipeline([external({ program: "./no-such-hook.sh" })]);
    const res = await p.runPre(makeCtx({ decision: highRisk }));
    expect(res.blocked).toBe(true);
    expect(res.records[0]?.message).toMatch(/cannot run .*no-such-hook\.sh/);
  });

  it("kills a hook that exceeds its timeout", async () => {
    const pidFile = join(dir.path, "pid");
    const p = createHookPipeline([external({ program: "./hook-sleep.sh", timeout_ms: 300, env: { HOOK_PID_FILE: pidFile } })]);
    const res = await p.runPre(makeCtx({ decision: highRisk }));
    expect(res.blocked).toBe(true);
    expect(res.records[0]?.action).toBe("timeout");
    const pid = Number(await readFile(pidFile, "utf8"));
    // The hook's process group was SIGKILLed: wait until the kernel has reaped it.
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 20));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });

  it("matches by command name or /regex/", async () => {
    const byName = createHookPipeline([external({ matcher: "deploy" })]);
    const byRegex = createHookPipeline([external({ matcher: "/^db:/" })]);
    const cmd = (name: string) => makeCtx({ command: { name, permissions: [], riskLevel: "low" } });
    expect((await byName.runPre(cmd("deploy"))).blocked).toBe(true);
    expect((await byName.runPre(cmd("deploy-docs"))).records).toEqual([]);
    expect((await byRegex.runPre(cmd("db:migrate"))).blocked).toBe(true);
    expect((await byRegex.runPre(cmd("backup-db"))).blocked).toBe(false);
  });
});
