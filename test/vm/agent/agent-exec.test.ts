import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AgentRemoteError } from "../../../src/errors.js";
import { processGone, useSharedAgent } from "./agent-process.js";

const shared = useSharedAgent();

describe("agent exec (real agent binary on the host)", () => {
  it("greets and answers hello and ping", async () => {
    const hello = await shared.client.hello();
    expect(hello.agent).toBe("firebreak-agent");
    expect(hello.protocol).toBe(1);
    expect(hello.pid).toBe(shared.agent.proc.pid);
    expect(hello.capabilities).toEqual(expect.arrayContaining(["exec", "put", "get", "tar_put", "tar_get", "sync"]));
    expect(hello.capabilities).not.toContain("settime"); // --no-settime
    expect(shared.client.greeting?.pid).toBe(shared.agent.proc.pid);
    expect(await shared.client.ping()).toBeGreaterThanOrEqual(0);
  });

  it("runs argv with PATH search", async () => {
    const r = await shared.client.exec({ argv: ["echo", "hello", "world"] }, { collect: true });
    expect(r).toMatchObject({ exitCode: 0, signal: null, timedOut: false, stdoutBytes: 12, stderrBytes: 0 });
    expect(r.stdout?.toString()).toBe("hello world\n");
  });

  it("runs a script via /bin/sh -c, keeping stdout and stderr apart, with its exit code", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const r = await shared.client.exec(
      { script: "echo to-out; echo to-err >&2; exit 3" },
      { onStdout: (c) => out.push(c.toString()), onStderr: (c) => err.push(c.toString()), collect: true },
    );
    expect(r.exitCode).toBe(3);
    expect(out.join("")).toBe("to-out\n");
    expect(err.join("")).toBe("to-err\n");
    expect(r.stderr?.toString()).toBe("to-err\n");
  });

  it("streams output while the command still runs", async () => {
    const flag = join(shared.agent.dir, "continue");
    const seen: string[] = [];
    // The command only finishes once the host has seen its first line and created the flag file.
    const r = await shared.client.exec(
      { script: `echo first; while [ ! -e '${flag}' ]; do sleep 0.01; done; echo second` },
      {
        onStdout: (c) => {
          seen.push(c.toString());
          if (c.toString().includes("first")) writeFileSync(flag, "");
        },
      },
    );
    expect(r.exitCode).toBe(0);
    expect(seen.join("")).toBe("first\nsecond\n");
  });

  it("reports death by signal", async () => {
    const r = await shared.client.exec({ script: "kill -TERM $$" });
    expect(r).toMatchObject({ exitCode: null, signal: "SIGTERM", timedOut: false });
  });

  it("kills the whole process group on timeout, grandchildren included", async () => {
    const r = await shared.client.exec({ script: "sleep 1000 & echo $!; sleep 1000", timeoutMs: 300 }, { collect: true });
    expect(r).toMatchObject({ timedOut: true, signal: "SIGKILL", exitCode: null });
    const grandchild = Number(r.stdout?.toString().trim());
    expect(grandchild).toBeGreaterThan(0);
    expect(processGone(grandchild)).toBe(true);
  });

  it("does not leave background processes behind after a normal exit", async () => {
    const r = await shared.client.exec({ script: "sleep 1000 >/dev/null 2>&1 & echo $!" }, { collect: true });
    expect(r.exitCode).toBe(0);
    expect(processGone(Number(r.stdout?.toString().trim()))).toBe(true);
  });

  it("enforces RLIMIT_CPU: a busy loop dies of SIGXCPU (or SIGKILL at the hard limit)", async () => {
    const r = await shared.client.exec({ script: "while :; do :; done", rlimits: { cpuS: 1 }, timeoutMs: 20_000 });
    expect(r.timedOut).toBe(false);
    expect(["SIGXCPU", "SIGKILL"]).toContain(r.signal);
  });

  it("enforces RLIMIT_FSIZE", async () => {
    const file = join(shared.agent.dir, "big");
    const r = await shared.client.exec({ argv: ["dd", "if=/dev/zero", `of=${file}`, "bs=4096", "count=4"], rlimits: { fsizeBytes: 1000 } });
    expect(r.signal === "SIGXFSZ" || (r.exitCode ?? 0) !== 0).toBe(true);
    const size = await shared.client.exec({ argv: ["wc", "-c", file] }, { collect: true });
    expect(Number.parseInt(size.stdout!.toString(), 10)).toBeLessThanOrEqual(1000);
  });

  it.runIf(process.getuid?.() === 0)("runs as another uid and enforces RLIMIT_NPROC there", async () => {
    const id = await shared.client.exec({ argv: ["id", "-u"], uid: 65534, gid: 65534 }, { collect: true });
    expect(id.stdout?.toString().trim()).toBe("65534");
    const r = await shared.client.exec(
      { script: "for i in 1 2 3 4 5 6; do sleep 2 & done; wait", uid: 65534, gid: 65534, rlimits: { nproc: 3 } },
      { collect: true },
    );
    expect(r.stderr?.toString()).toMatch(/fork|resource/i);
  });

  it("feeds stdin byte-exact, NULs included", async () => {
    const input = Buffer.from([0, 1, 2, 255, 0, 10, 0x41]);
    const r = await shared.client.exec({ argv: ["cat"], stdin: input }, { collect: true });
    expect(r.stdout?.equals(input)).toBe(true);
  });

  it("streams stdin larger than a frame and the flow-control window", async () => {
    const size = 9 * 1024 * 1024 + 7;
    const r = await shared.client.exec({ argv: ["wc", "-c"], stdin: Buffer.alloc(size, 0x61) }, { collect: true });
    expect(Number.parseInt(r.stdout!.toString(), 10)).toBe(size);
  });

  it("streams large output intact", async () => {
    let total = 0;
    const r = await shared.client.exec({ script: "head -c 10485760 /dev/zero" }, { onStdout: (c) => (total += c.length) });
    expect(r.exitCode).toBe(0);
    expect(r.stdoutBytes).toBe(10485760);
    expect(total).toBe(10485760);
  });

  it("applies env and cwd; clearEnv starts from nothing", async () => {
    const r = await shared.client.exec(
      { script: 'printf "%s|%s" "$FIREBREAK_T" "$(pwd)"', env: { FIREBREAK_T: "a b'c" }, cwd: shared.agent.dir },
      { collect: true },
    );
    expect(r.stdout?.toString()).toBe(`a b'c|${shared.agent.dir}`);
    const bare = await shared.client.exec({ argv: ["/usr/bin/env"], clearEnv: true, env: { ONLY: "1" } }, { collect: true });
    expect(bare.stdout?.toString()).toBe("ONLY=1\n");
  });

  it("rejects commands that cannot start, with the reason", async () => {
    const missing = shared.client.exec({ argv: ["no-such-program-firebreak"] });
    await expect(missing).rejects.toBeInstanceOf(AgentRemoteError);
    await expect(missing).rejects.toMatchObject({ agentCode: "spawn_failed", message: /no-such-program-firebreak/ });
    await expect(shared.client.exec({ argv: ["true"], cwd: "/no/such/dir" })).rejects.toMatchObject({
      agentCode: "spawn_failed",
      message: /chdir/,
    });
    await expect(shared.client.exec({})).rejects.toMatchObject({ agentCode: "bad_request" });
    await expect(shared.client.exec({ argv: ["a"], script: "b" })).rejects.toMatchObject({ agentCode: "bad_request" });
  });

  it("spawns with the command's own PATH, reports an exec failure as spawn_failed (never started), and leaves the agent's environment alone", async () => {
    // The agent spawns with vfork: the child shares its memory until exec, so it must not touch the agent's state.
    const bin = join(shared.agent.dir, "own-path");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "fb-found"), "#!/bin/sh\necho found on the own PATH\n", { mode: 0o755 });
    writeFileSync(join(bin, "fb-not-executable"), "#!/bin/sh\necho never\n", { mode: 0o644 });
    const found = await shared.client.exec({ argv: ["fb-found"], clearEnv: true, env: { PATH: bin } }, { collect: true });
    expect(found.stdout?.toString()).toBe("found on the own PATH\n");
    let started = 0;
    const denied = shared.client.exec({ argv: ["fb-not-executable"], clearEnv: true, env: { PATH: bin } }, { onStarted: () => started++ });
    await expect(denied).rejects.toMatchObject({ agentCode: "spawn_failed", message: /exec fb-not-executable: Permission denied/ });
    await expect(shared.client.exec({ argv: ["/no/such/binary"] }, { onStarted: () => started++ })).rejects.toMatchObject({ agentCode: "spawn_failed", message: /No such file/ });
    expect(started).toBe(0);
    const agentEnv = await shared.client.exec({ argv: ["/usr/bin/env"] }, { collect: true });
    expect(agentEnv.stdout?.toString()).not.toContain(bin);
    expect(agentEnv.stdout?.toString()).toMatch(/^PATH=/m);
  });

  it("kills a command when the caller aborts", async () => {
    const controller = new AbortController();
    const r = await shared.client.exec(
      { script: "echo ready; exec sleep 1000" },
      { signal: controller.signal, onStdout: () => controller.abort() },
    );
    expect(r).toMatchObject({ aborted: true, signal: "SIGKILL", timedOut: false });
  });

  it("runs several commands at once", async () => {
    const results = await Promise.all(
      ["a", "b", "c"].map((s) => shared.client.exec({ script: `sleep 0.05; echo ${s}` }, { collect: true })),
    );
    expect(results.map((r) => r.stdout?.toString())).toEqual(["a\n", "b\n", "c\n"]);
  });
});
