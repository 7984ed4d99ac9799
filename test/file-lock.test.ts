/** The shared-file lock: proper-lockfile's protocol, with a synchronous fast path that does not load it. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import lockfile from "proper-lockfile";
import { afterEach, describe, expect, it } from "vitest";
import { lockFile, lockFileSync, tryLockSync } from "../src/file-lock.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fb-lock-"));
  dirs.push(dir);
  const file = path.join(dir, "shared.jsonl");
  fs.writeFileSync(file, "");
  return file;
}

describe("tryLockSync", () => {
  it("takes a free lock, is refused while it is held, and releases it once", () => {
    const file = tempFile();
    const release = tryLockSync(file);
    expect(release).toBeTypeOf("function");
    expect(tryLockSync(file)).toBeUndefined();
    release!();
    release!(); // a second release does not remove someone else's lock
    const again = tryLockSync(file);
    expect(again).toBeTypeOf("function");
    expect(tryLockSync(file)).toBeUndefined();
    again!();
  });

  it("speaks proper-lockfile's protocol both ways", async () => {
    const file = tempFile();
    const release = tryLockSync(file)!;
    expect(await lockfile.check(file, { realpath: false, stale: 10_000 })).toBe(true);
    await expect(lockFile(file, { realpath: false, stale: 10_000, retries: 0 })).rejects.toThrow(/already being held/);
    release();
    const held = await lockFile(file, { realpath: false, stale: 10_000, retries: 0 });
    expect(tryLockSync(file)).toBeUndefined();
    await held();
    expect(tryLockSync(file)).toBeTypeOf("function");
  });

  it("throws what is not contention (no directory to lock in)", () => {
    const missing = path.join(path.dirname(tempFile()), "no-such-dir", "file");
    expect(() => tryLockSync(missing)).toThrow(/ENOENT/);
    expect(fs.existsSync(path.dirname(missing))).toBe(false);
  });
});

describe("lockFileSync", () => {
  it("breaks a stale lock (its holder died) and waits out a fresh one until its timeout", () => {
    const file = tempFile();
    fs.mkdirSync(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${file}.lock`, old, old);
    const release = lockFileSync(file, { staleMs: 10_000, timeoutMs: 500, retryMs: 10 });
    const started = Date.now();
    expect(() => lockFileSync(file, { staleMs: 10_000, timeoutMs: 100, retryMs: 10 })).toThrow(/held by another process/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    release();
    lockFileSync(file, { staleMs: 10_000, timeoutMs: 100, retryMs: 10 })();
  });
});
