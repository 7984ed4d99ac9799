/**
 * Locks shared by separate firebreak processes, in proper-lockfile's protocol: the lock is a `<file>.lock`
 * directory, stale once its mtime is older than `stale` ms (its holder died without removing it).
 *
 * proper-lockfile (with graceful-fs, retry and signal-exit, which it loads and sets up at once) is loaded on the first
 * lock that needs it: a CLI call whose only lock is an uncontended one around a synchronous critical section (the
 * audit append) does not pay its ~8 ms of loading.
 */
import fs from "node:fs";
import type { LockOptions } from "proper-lockfile";

type ProperLockfile = typeof import("proper-lockfile");
let properLockfile: Promise<ProperLockfile> | undefined;

/**
 * proper-lockfile's `lock`: retries, stale locks broken, the lock's mtime kept fresh while held across awaits.
 *
 * @example const release = await lockFile(file, { stale: 10_000, retries: 5 }); try { … } finally { await release(); }
 */
export async function lockFile(file: string, options: LockOptions): Promise<() => Promise<void>> {
  properLockfile ??= import("proper-lockfile").then((m) => ((m as { default?: ProperLockfile }).default ?? m) as ProperLockfile);
  return (await properLockfile).lock(file, options);
}

/**
 * Takes the lock of `file` at once when nobody holds it, else returns undefined (wait for it with {@link lockFile},
 * which also breaks a stale lock). Only for a critical section with no `await` in it: nothing else of this process
 * runs while it is held, so the lock needs none of the mtime updates proper-lockfile makes for long holds.
 *
 * @example const release = tryLockSync(file) ?? (await lockFile(file, opts));
 */
export function tryLockSync(file: string): (() => void) | undefined {
  const dir = lockDirOf(file);
  try {
    fs.mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw error;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

/**
 * Takes the lock synchronously (for exit handlers, which cannot wait for promises): retries every `retryMs` up to
 * `timeoutMs`, and breaks a lock whose mtime is older than `staleMs`. Throws when the lock stays held.
 */
export function lockFileSync(file: string, o: { staleMs: number; timeoutMs: number; retryMs: number }): () => void {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const release = tryLockSync(file);
    if (release) return release;
    const dir = lockDirOf(file);
    const mtimeMs = statMtimeMs(dir);
    if (mtimeMs !== undefined && mtimeMs < Date.now() - o.staleMs) {
      fs.rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() >= deadline) throw Object.assign(new Error(`${dir} is held by another process`), { code: "ELOCKED" });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, o.retryMs);
  }
}

function lockDirOf(file: string): string {
  return `${file}.lock`;
}

function statMtimeMs(p: string): number | undefined {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return undefined; // released in between: try again
  }
}
