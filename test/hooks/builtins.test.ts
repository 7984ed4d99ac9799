import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEnvironmentHook } from "../../src/hooks/builtin/environment.js";
import { createLoggingHook } from "../../src/hooks/builtin/logging.js";
import { createPreflightHook } from "../../src/hooks/builtin/preflight.js";
import { hooksConfigSchema } from "../../src/hooks/config.js";
import { createHookPipeline } from "../../src/hooks/pipeline.js";
import { FIXTURES, makeCtx, runReal, seg, tempDir } from "./helpers.js";

const cfg = (raw: Record<string, unknown>) => hooksConfigSchema.parse(raw);

describe("preflight", () => {
  it("uses the blacklist's pattern syntax and matching: whole words, anchored, base names, wrappers put back", async () => {
    const hook = createPreflightHook(cfg({ preflight: { deny: ["rm -rf /", "git push ? main", "git push --force *"] } }).preflight);
    const blocked = async (argv: string[], wrappers: string[] = []) => (await hook.run(makeCtx({ segments: [{ ...seg(argv), wrappers }] }))).action === "block";
    expect(await blocked(["/usr/bin/rm", "-rf", "/"])).toBe(true);
    expect(await blocked(["rm", "-rf", "/"], ["sudo"])).toBe(true);
    expect(await blocked(["git", "push", "origin", "main"])).toBe(true);
    expect(await blocked(["git", "push", "--force", "origin", "main"])).toBe(true);
    expect(await blocked(["git", "push", "--force"])).toBe(true);
    // Anchored: a pattern without a trailing * is the whole command.
    expect(await blocked(["rm", "-rf", "/", "--no-preserve-root"])).toBe(false);
    expect(await blocked(["git", "push", "origin"])).toBe(false);
    expect(await blocked(["rm", "-rf"])).toBe(false);
  });

  it("refuses at load a * glued to text, the shell-glob spelling that would never match, naming the fix", () => {
    const parsed = hooksConfigSchema.safeParse({ preflight: { deny: ["git push --force*"] } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["preflight", "deny", 0]);
    expect(parsed.error?.issues[0]?.message).toContain("'--force*' glues a wildcard to text");
    expect(parsed.error?.issues[0]?.message).toContain("write '--force *'");
    // Quoted, it is the literal text.
    expect(hooksConfigSchema.safeParse({ preflight: { deny: ["git push '--force*'"] } }).success).toBe(true);
  });

  it("blocks when any parsed segment matches a denied pattern (alternatives in one rule)", async () => {
    const hook = createPreflightHook(cfg({ preflight: { deny: ["rm -rf /", { pattern: ["git push --force *", "git push -f *"], reason: "rewrites shared history" }] } }).preflight);
    const p = createHookPipeline([hook]);
    const res = await p.runPre(makeCtx({ segments: [seg(["git", "status"]), seg(["git", "push", "-f", "origin"])] }));
    expect(res.blocked).toBe(true);
    expect(res.reason).toBe("hook preflight: 'git push -f origin' matches denied pattern 'git push -f *': rewrites shared history");
    expect((await p.runPre(makeCtx({ segments: [seg(["git", "push", "origin"])] }))).blocked).toBe(false);
  });

  it("blocks working directories outside allowed_dirs", async () => {
    const d = await tempDir();
    try {
      await mkdir(join(d.path, "ok", "deeper"), { recursive: true });
      await mkdir(join(d.path, "okay-not"), { recursive: true });
      const hook = createPreflightHook(cfg({ preflight: { allowed_dirs: ["ok"] } }).preflight);
      const at = (cwd: string) => hook.run(makeCtx({ cwd, workspace: d.path }));
      expect((await at(join(d.path, "ok", "deeper"))).action).toBe("continue");
      expect((await at(join(d.path, "ok"))).action).toBe("continue");
      const out = await at(join(d.path, "okay-not"));
      expect(out.action).toBe("block");
      expect(out.reason).toMatch(/outside the allowed directories/);
    } finally {
      await d.cleanup();
    }
  });
});

describe("environment", () => {
  it("puts configured and FIREBREAK_* variables into the environment of the command that runs", async () => {
    const p = createHookPipeline([createEnvironmentHook(cfg({ environment: { vars: { DEPLOY_ENV: "staging" } } }).environment)]);
    const pre = await p.runPre(makeCtx({ user: "ana", role: "ops", command: { name: "deploy", permissions: [], riskLevel: "low" }, invocationId: "inv-42" }));
    expect(pre.records[0]?.action).toBe("modify");
    // What the engine does: the command's environment plus the hooks' env.
    const ran = await runReal("node", [join(FIXTURES, "print-env.mjs"), "DEPLOY_ENV"], { env: { PATH: process.env.PATH, ...pre.env } }).done;
    expect(ran.stdout.trim().split("\n")).toEqual([
      "DEPLOY_ENV=staging",
      "FIREBREAK_COMMAND=deploy",
      "FIREBREAK_INVOCATION_ID=inv-42",
      "FIREBREAK_ROLE=ops",
      "FIREBREAK_USER=ana",
    ]);
  });

  it("refuses configured variables in the FIREBREAK_ namespace", () => {
    expect(() => cfg({ environment: { vars: { FIREBREAK_USER: "root" } } })).toThrow(/FIREBREAK_/);
  });
});

describe("logging", () => {
  let state: { path: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    state = await tempDir();
  });
  afterEach(async () => {
    await state.cleanup();
  });

  it("writes one JSON line per phase to stderr and to a file, without secrets by default", async () => {
    const lines: string[] = [];
    const hook = createLoggingHook(cfg({ logging: { stderr: true, file: "logs/hooks.jsonl" } }).logging, {
      writeStderr: (l) => lines.push(l),
      now: () => new Date("2026-11-23T10:00:00Z"),
    });
    const p = createHookPipeline([hook]);
    const ctx = makeCtx({ rendered: "login --password hunter2", parameters: { password: "hunter2" }, stateDir: state.path });
    await p.runPre(ctx);
    await p.runPost({ ...ctx, phase: "post", result: { exitCode: 1, durationMs: 3, stdoutBytes: 0, stderrBytes: 9, timedOut: false, placement: "local" } });
    const file = await readFile(join(state.path, "logs", "hooks.jsonl"), "utf8");
    expect(file).toBe(lines.join(""));
    const [pre, post] = file.trim().split("\n").map((l) => JSON.parse(l));
    expect(pre).toMatchObject({ ts: "2026-11-23T10:00:00.000Z", hook_event_name: "PreCommand", command: "demo", user: "tester" });
    expect(post).toMatchObject({ hook_event_name: "PostCommand", result: { exit_code: 1, stderr_bytes: 9 } });
    expect(file).not.toContain("hunter2");
  });

  it("by default writes only to <stateDir>/logs/hooks.jsonl, not stderr", async () => {
    const lines: string[] = [];
    const hook = createLoggingHook(cfg({}).logging, { writeStderr: (l) => lines.push(l) });
    await hook.run(makeCtx({ stateDir: state.path }));
    expect(lines).toEqual([]);
    expect(JSON.parse(await readFile(join(state.path, "logs", "hooks.jsonl"), "utf8"))).toMatchObject({ hook_event_name: "PreCommand" });
  });
});
