/**
 * A local command must not outlive firebreak, even when firebreak is killed with SIGKILL (no exit handler runs then).
 * The command runs in its own process group, so nothing reaches it by default. Each command gets a tiny guard: a shell
 * started through `setpriv --pdeathsig TERM`, so the kernel signals it the moment firebreak dies; it then kills the
 * command's whole group. When the command ends normally, firebreak kills the guard's own group (guard and its sleep).
 *
 * Without `setpriv` (util-linux) there is no guard, and that is reported by `available`.
 */
import { spawn, spawnSync } from "node:child_process";

/** The guard: TERM (parent died) kills the command's group and its own sleep, then exits. */
const GUARD_SCRIPT = [
  'pgid="$1"',
  "sleeper=",
  'trap \'kill -s KILL -- "-$pgid" 2>/dev/null; kill "$sleeper" 2>/dev/null; exit 0\' TERM',
  // `wait` returns as soon as a trapped signal arrives; a plain `sleep` would delay the trap.
  'while :; do sleep 3600 & sleeper=$!; wait "$sleeper"; done',
].join("\n");

let setprivChecked: boolean | undefined;

/** Whether setpriv with --pdeathsig exists here (checked once per process). */
export function parentDeathGuardAvailable(): boolean {
  setprivChecked ??= spawnSync("setpriv", ["--pdeathsig", "TERM", "--", "true"], { stdio: "ignore" }).status === 0;
  return setprivChecked;
}

export interface GroupGuard {
  /** Dismisses the guard (the command has ended); the group is left alone. */
  stop(): void;
}

/**
 * Starts the guard for process group `pgid`; undefined when setpriv is not available.
 * @example const guard = guardGroupAgainstParentDeath(child.pid!); …; guard?.stop();
 */
export function guardGroupAgainstParentDeath(pgid: number): GroupGuard | undefined {
  if (!parentDeathGuardAvailable()) return undefined;
  const guard = spawn("setpriv", ["--pdeathsig", "TERM", "--", "/bin/sh", "-c", GUARD_SCRIPT, "firebreak-guard", String(pgid)], {
    detached: true, // not in the command's group, and not in the terminal's
    stdio: "ignore",
  });
  guard.on("error", () => undefined);
  guard.unref();
  return {
    stop() {
      if (guard.pid === undefined) return;
      try {
        // The guard leads its own group (detached): this ends it and its sleep at once, whatever state it is in.
        process.kill(-guard.pid, "SIGKILL");
      } catch {
        // already gone
      }
    },
  };
}
