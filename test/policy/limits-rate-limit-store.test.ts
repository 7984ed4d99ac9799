import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateError } from "../../src/errors.js";
import { formatRetry, RateLimitStore } from "../../src/policy/limits/rate-limit-store.js";

const ONE_PER_MINUTE = { per_minute: 1, scope: "user" as const };
let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "firebreak-rl-"));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe("RateLimitStore", () => {
  it("allows one run per minute, says when to retry, and refills", async () => {
    const store = new RateLimitStore({ stateDir });
    const t0 = Date.UTC(2026, 10, 23, 12, 0, 0);
    expect(await store.consume("deploy|alice", ONE_PER_MINUTE, t0)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 0 });
    expect(await store.consume("deploy|alice", ONE_PER_MINUTE, t0 + 18_000)).toEqual({
      allowed: false,
      retryAfterMs: 42_000,
      remaining: 0,
    });
    expect((await store.consume("deploy|bob", ONE_PER_MINUTE, t0 + 18_000)).allowed).toBe(true);
    expect((await store.consume("deploy|alice", ONE_PER_MINUTE, new Date(t0 + 60_000))).allowed).toBe(true);
  });

  it("persists buckets so a new store (another process) sees them", async () => {
    await new RateLimitStore({ stateDir }).consume("k", ONE_PER_MINUTE, 1_000_000);
    const again = await new RateLimitStore({ stateDir }).consume("k", ONE_PER_MINUTE, 1_000_001);
    expect(again.allowed).toBe(false);
  });

  it("refuses with a message naming the limit, the subject and the wait", async () => {
    const store = new RateLimitStore({ stateDir });
    const request = { key: "policy|cmd:deploy|user:alice", limit: ONE_PER_MINUTE, subject: "deploy by alice" };
    await store.consumeAll([request], 0);
    const outcome = await store.consumeAll([request], 18_000);
    expect(outcome.allowed).toBe(false);
    expect(outcome.reasons).toEqual(["rate limit 1/min for deploy by alice: retry in 42 s"]);
  });

  it("takes tokens from all requests or from none", async () => {
    const store = new RateLimitStore({ stateDir });
    const a = { key: "a", limit: { per_minute: 5, scope: "user" as const }, subject: "a" };
    const b = { key: "b", limit: ONE_PER_MINUTE, subject: "b" };
    await store.consumeAll([b], 0);
    const outcome = await store.consumeAll([a, b], 1);
    expect(outcome.allowed).toBe(false);
    expect(outcome.results.map((r) => r.result.allowed)).toEqual([true, false]);
    // a's token was not spent by the refused run: 5 more runs of a alone succeed, the 6th does not
    const alone: boolean[] = [];
    for (let i = 0; i < 6; i++) alone.push((await store.consumeAll([a], 2)).allowed);
    expect(alone).toEqual([true, true, true, true, true, false]);
  });

  it("does not touch the state file when no limit applies", async () => {
    const store = new RateLimitStore({ stateDir });
    expect((await store.consumeAll([], 0)).allowed).toBe(true);
    await expect(readFile(store.file)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("serialises concurrent consumers through the lock", async () => {
    const stores = [new RateLimitStore({ stateDir }), new RateLimitStore({ stateDir })];
    const limit = { per_hour: 3, scope: "user" as const };
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => stores[i % 2]!.consume("shared", limit, 5_000)));
    expect(results.filter((r) => r.allowed)).toHaveLength(3);
  });

  it("fails closed on a corrupt state file, telling how to reset", async () => {
    const store = new RateLimitStore({ stateDir });
    await writeFile(store.file, "{ not json");
    await expect(store.consume("k", ONE_PER_MINUTE, 0)).rejects.toThrow(StateError);
    await expect(store.consume("k", ONE_PER_MINUTE, 0)).rejects.toThrow(/corrupt.*delete it to reset/);
    await writeFile(store.file, JSON.stringify({ version: 1, buckets: { k: "soon" } }));
    await expect(store.consume("k", ONE_PER_MINUTE, 0)).rejects.toThrow(/bucket k is not a number/);
  });

  it("fails closed when the lock is held and never released", async () => {
    const { lock } = await import("proper-lockfile");
    const holder = new RateLimitStore({ stateDir });
    const release = await lock(holder.file, { realpath: false, stale: 60_000 });
    try {
      const impatient = new RateLimitStore({ stateDir, lockRetries: 0 });
      await expect(impatient.consume("k", ONE_PER_MINUTE, 0)).rejects.toThrow(/cannot lock rate-limit state/);
    } finally {
      await release();
    }
  });

  it("reset clears every bucket", async () => {
    const store = new RateLimitStore({ stateDir });
    await store.consume("k", ONE_PER_MINUTE, 0);
    await store.reset();
    expect((await store.consume("k", ONE_PER_MINUTE, 1)).allowed).toBe(true);
  });
});

describe("formatRetry", () => {
  it.each([
    [1, "1 s"],
    [42_000, "42 s"],
    [119_500, "2 min"],
    [125_000, "2 min 5 s"],
    [3_600_000, "60 min"],
    [7_260_000, "2 h 1 min"],
  ])("%d ms -> %s", (ms, text) => {
    expect(formatRetry(ms)).toBe(text);
  });
});

describe("cross-process sharing", () => {
  it("lets exactly one of three concurrent processes through a 1-per-minute limit", async () => {
    const script = fileURLToPath(new URL("./fixtures/consume-rate-limit.ts", import.meta.url));
    const goFile = join(stateDir, "go");
    const children = Array.from({ length: 3 }, () =>
      spawn(process.execPath, ["--import", "tsx", script, stateDir, goFile], { stdio: ["ignore", "pipe", "pipe"] }),
    );
    const outputs = children.map(
      (child) =>
        new Promise<{ lines: string[]; code: number | null; stderr: string }>((resolve) => {
          let out = "";
          let stderr = "";
          child.stdout.on("data", (chunk: Buffer) => {
            out += chunk.toString();
          });
          child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString();
          });
          child.on("close", (code) => resolve({ lines: out.trim().split("\n"), code, stderr }));
        }),
    );
    // Release all children at once, after each has started and is waiting.
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            const onData = (chunk: Buffer) => {
              if (chunk.toString().includes("ready")) {
                child.stdout.off("data", onData);
                resolve();
              }
            };
            child.stdout.on("data", onData);
          }),
      ),
    );
    await writeFile(goFile, "");
    const results = await Promise.all(outputs);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const verdicts = results.map((r) => JSON.parse(r.lines.at(-1)!) as { allowed: boolean; reasons: string[] });
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(1);
    for (const refused of verdicts.filter((v) => !v.allowed)) {
      expect(refused.reasons[0]).toMatch(/^rate limit 1\/min for deploy by alice: retry in \d+ s$/);
    }
  }, 60_000);
});
