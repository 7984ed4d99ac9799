/**
 * The whole flow as the engine runs it: real shell analysis -> pre-hooks -> the local
 * executor (with monitors) -> post-hooks. Proves the acceptance points at the
 * library level; the engine wiring repeats them through `firebreak run`.
 */
import { randomBytes } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runLocal } from "../../src/exec/local.js";
import { restoreBackup } from "../../src/hooks/backup/store.js";
import { buildHooks } from "../../src/hooks/build.js";
import { parseHooksConfig } from "../../src/hooks/config.js";
import { createHookPipeline } from "../../src/hooks/pipeline.js";
import type { HookContext, HookResourceLimits } from "../../src/hooks/types.js";
import { createShellAnalyzer } from "../../src/policy/shell/analyzer.js";
import { FIXTURES, makeCtx, useWorkspaceAndState } from "./helpers.js";

describe("hooks around a real local run", () => {
  const dirs = useWorkspaceAndState();

  async function invoke(rendered: string, raw: Record<string, unknown>, over: Partial<HookContext> = {}, limits?: HookResourceLimits) {
    const analyzer = await createShellAnalyzer();
    const hooks = buildHooks(parseHooksConfig(raw), { preset: "development", baseDir: FIXTURES });
    const pipeline = createHookPipeline(hooks);
    const ctx = makeCtx({
      rendered,
      segments: analyzer.analyze(rendered).segments,
      cwd: dirs.ws.path,
      workspace: dirs.ws.path,
      stateDir: dirs.state.path,
      command: { name: "job", permissions: [], riskLevel: "low", ...(limits ? { resourceLimits: limits } : {}) },
      ...over,
    });
    const pre = await pipeline.runPre(ctx);
    if (pre.blocked) return { pre };
    let monitor: ReturnType<typeof pipeline.onSpawn> | undefined;
    const result = await runLocal({
      script: rendered,
      cwd: dirs.ws.path,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...pre.env },
      killGraceMs: 500,
      outputCapBytes: 1 << 20,
      onSpawn: (proc) => {
        monitor = pipeline.onSpawn(ctx, proc);
      },
    });
    const spawn = monitor ? await monitor.stop() : {};
    const hookResult = { exitCode: result.exitCode, signal: result.signal, durationMs: result.durationMs, stdoutBytes: result.stdoutBytes, stderrBytes: result.stderrBytes, timedOut: result.timedOut, placement: "local" as const };
    const post = await pipeline.runPost({ ...ctx, phase: "post", result: hookResult });
    return { pre, result, spawn, post };
  }

  it("an external hook that exits 2 blocks the command with its reason; nothing runs", async () => {
    await writeFile(join(dirs.ws.path, "keep.txt"), "still here");
    const { pre, result } = await invoke("rm keep.txt", { external: [{ name: "freeze", program: "./hook-block.sh" }] });
    expect(pre.blocked).toBe(true);
    expect(pre.reason).toBe("hook freeze: deploys are frozen until Monday");
    expect(pre.records.find((r) => r.name === "freeze")).toMatchObject({ action: "block", message: "deploys are frozen until Monday" });
    expect(result).toBeUndefined();
    expect(await readFile(join(dirs.ws.path, "keep.txt"), "utf8")).toBe("still here");
  });

  it("a command that deletes workspace files is backed up first and restored byte for byte", async () => {
    const bytes = randomBytes(64 * 1024);
    await writeFile(join(dirs.ws.path, "a.bin"), bytes);
    await writeFile(join(dirs.ws.path, "b.log"), "log\n");
    await writeFile(join(dirs.ws.path, "*.log"), "literal star\n");
    const { pre, result } = await invoke("rm a.bin *.log && echo gone", {});
    expect(result?.exitCode).toBe(0);
    await expect(stat(join(dirs.ws.path, "a.bin"))).rejects.toThrow();
    const id = (pre.annotations.backup as { id: string; files: number }).id;
    expect((pre.annotations.backup as { files: number }).files).toBe(3);
    await restoreBackup(dirs.state.path, id);
    expect((await readFile(join(dirs.ws.path, "a.bin"))).equals(bytes)).toBe(true);
    expect(await readFile(join(dirs.ws.path, "b.log"), "utf8")).toBe("log\n");
  });

  it("backs up the roots of find -exec rm {}", async () => {
    await writeFile(join(dirs.ws.path, "x.o"), "object");
    const { pre } = await invoke(`find . -name '*.o' -exec rm {} \\;`, {});
    const backup = pre.annotations.backup as { id: string; paths: string[] };
    expect(backup.paths).toContain(join(await import("node:fs/promises").then((f) => f.realpath(dirs.ws.path)), "x.o"));
    await restoreBackup(dirs.state.path, backup.id);
    expect(await readFile(join(dirs.ws.path, "x.o"), "utf8")).toBe("object");
  });

  it("environment reaches the process and post-hooks see exit status and output sizes", async () => {
    const events = join(dirs.ws.path, "events.jsonl");
    const raw = {
      environment: { vars: { GREETING: "hello" } },
      external: [{ name: "rec", program: "./hook-record.sh", phases: ["post"], env: { HOOK_EVENT_FILE: events } }],
    };
    const { result, post } = await invoke(`node ${join(FIXTURES, "print-env.mjs")} GREETING; echo oops >&2; exit 3`, raw, { user: "ana", role: "ops" });
    expect(result?.stdout).toContain("GREETING=hello\n");
    expect(result?.stdout).toContain("FIREBREAK_USER=ana\n");
    expect(result?.stdout).toContain("FIREBREAK_ROLE=ops\n");
    expect(result?.stdout).toContain("FIREBREAK_COMMAND=job\n");
    const event = JSON.parse(await readFile(events, "utf8"));
    expect(event.result).toMatchObject({ exit_code: 3, stdout_bytes: result?.stdoutBytes, stderr_bytes: 5, timed_out: false });
    expect(post?.records.find((r) => r.name === "rec")?.action).toBe("continue");
    expect(post?.annotations.git).toEqual({ repository: false });
  });

  it("the resource monitor kills a command past max_memory_mb and the executor states why", async () => {
    const { result, spawn } = await invoke(`node ${join(FIXTURES, "alloc.mjs")} 1024`, {}, {}, { max_memory_mb: 80 });
    expect(result?.killReason).toMatch(/^killed: memory \d+ MiB exceeded max_memory_mb 80$/);
    expect(result?.signal).toBe("SIGKILL");
    expect((spawn as Record<string, { killed?: string }>)["resource-monitor"]?.killed).toBe(result?.killReason);
  });
});
