import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { filterEnv } from "../../src/exec/env.js";
import { type LocalExecRequest, runLocal } from "../../src/exec/local.js";
import { tempDir } from "../helpers/tmp.js";

const base = (script: string, extra: Partial<LocalExecRequest> = {}): LocalExecRequest => ({
  script,
  cwd: tempDir(),
  env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  killGraceMs: 500,
  outputCapBytes: 1 << 20,
  ...extra,
});

describe("runLocal", () => {
  it("passes the exit status through and captures both streams", async () => {
    const r = await runLocal(base("echo out; echo err >&2; exit 3"));
    expect(r).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n", stdoutBytes: 4, stderrBytes: 4, timedOut: false });
  });

  it("reports 128+N when the command dies of signal N", async () => {
    const r = await runLocal(base("kill -TERM $$"));
    expect(r.exitCode).toBe(128 + 15);
    expect(r.signal).toBe("SIGTERM");
  });

  it("times out with 124 and kills the whole process group, grandchildren included", async () => {
    const dir = tempDir();
    const r = await runLocal(base(`(sleep 30; touch ${dir}/survived) & sleep 30`, { timeoutMs: 300, killGraceMs: 200 }));
    expect(r.exitCode).toBe(124);
    expect(r.timedOut).toBe(true);
    expect(r.killReason).toContain("timed out");
    await new Promise((res) => setTimeout(res, 300));
    expect(fs.existsSync(path.join(dir, "survived"))).toBe(false);
  });

  it("leaves no background process behind after a normal exit", async () => {
    const dir = tempDir();
    const r = await runLocal(base(`(sleep 1; touch ${dir}/orphan) & echo started`));
    expect(r.stdout).toBe("started\n");
    await new Promise((res) => setTimeout(res, 1500));
    expect(fs.existsSync(path.join(dir, "orphan"))).toBe(false);
  });

  it("streams output live and caps the captured copy with a marker", async () => {
    const chunks: Buffer[] = [];
    const r = await runLocal(base("head -c 5000 /dev/zero | tr '\\0' a", { outputCapBytes: 100, onStdout: (c) => chunks.push(c) }));
    expect(Buffer.concat(chunks).length).toBe(5000);
    expect(r.stdoutBytes).toBe(5000);
    expect(r.stdoutTruncated).toBe(true);
    expect(r.stdout).toBe(`${"a".repeat(100)}\n[firebreak: output truncated]\n`);
  });

  it("runs in the given cwd with exactly the given environment", async () => {
    const cwd = tempDir();
    const r = await runLocal(base("pwd; echo ${SECRET:-unset}; echo $KEEP", { cwd, env: { PATH: process.env.PATH!, KEEP: "k" } }));
    expect(r.stdout).toBe(`${fs.realpathSync(cwd)}\nunset\nk\n`);
  });

  it("lets a monitor kill the process with a reason", async () => {
    const r = await runLocal(base("sleep 30", { onSpawn: (p) => setTimeout(() => p.kill("killed: memory 900 MiB exceeded max_memory_mb 256"), 100) }));
    expect(r.exitCode).toBe(128 + 9);
    expect(r.killReason).toContain("max_memory_mb");
  });
});

describe("filterEnv", () => {
  it("keeps only allowlisted names and prefixes", () => {
    expect(filterEnv({ PATH: "/bin", LC_ALL: "C", AWS_SECRET_ACCESS_KEY: "x", GITHUB_TOKEN: "y" }, ["PATH", "LC_*"])).toEqual({ PATH: "/bin", LC_ALL: "C" });
  });
});
