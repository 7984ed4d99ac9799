/**
 * A local command must not outlive firebreak, even when firebreak is killed with SIGKILL (no exit handler runs then).
 * Each command runs in its own process group, so nothing reaches it by default. One small guard per firebreak
 * process watches them all: a shell reading group ids from a pipe whose only writer is firebreak. When firebreak dies,
 * however it dies, the kernel closes that pipe; the guard reads end-of-file and kills every group still registered.
 *
 * Why one guard reading a pipe rather than a guard per command under `setpriv --pdeathsig`: end-of-file needs no
 * util-linux, and a long-lived process (the daemon) pays one spawn in its life instead of three per command.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import type { Socket } from "node:net";

/**
 * `+ PGID` registers a group, `- PGID` dismisses it; at end of input every registered group is killed. Only shell
 * built-ins: the guard must work without anything else on PATH.
 */
const GUARD_SCRIPT = `groups=" "
while read -r op pgid; do
  case "$pgid" in ''|*[!0-9]*) continue ;; esac
  case "$op" in
    +) groups="$groups$pgid " ;;
    -) case "$groups" in *" $pgid "*) groups="\${groups%% $pgid *} \${groups#* $pgid }" ;; esac ;;
  esac
done
for pgid in $groups; do kill -s KILL -- "-$pgid" 2>/dev/null; done
exit 0`;

export interface GroupGuard {
  /** Dismisses the guard for this group (the command has ended and its group was killed). */
  stop(): void;
}

let guard: ChildProcessWithoutNullStreams | undefined;
/** Groups registered now: a guard started after another one died is told them again. */
const registered = new Set<number>();

function liveGuard(): ChildProcessWithoutNullStreams | undefined {
  if (guard && guard.exitCode === null && guard.signalCode === null && guard.stdin.writable) return guard;
  let started: ChildProcessWithoutNullStreams;
  try {
    // Detached: its own group and session, so a Ctrl-C to firebreak's terminal does not end it first.
    started = spawn("/bin/sh", ["-c", GUARD_SCRIPT, "firebreak-guard"], { detached: true, stdio: ["pipe", "ignore", "ignore"] }) as unknown as ChildProcessWithoutNullStreams;
  } catch {
    return undefined;
  }
  started.on("error", () => undefined);
  started.stdin.on("error", () => undefined); // a guard that died: the next command starts another
  started.unref();
  (started.stdin as unknown as Socket).unref(); // the pipe must not keep firebreak alive
  guard = started;
  for (const pgid of registered) started.stdin.write(`+ ${pgid}\n`);
  return started;
}

/**
 * Puts process group `pgid` under the guard until `stop()`.
 * @example const guard = guardGroupAgainstParentDeath(child.pid!); …; guard.stop();
 */
export function guardGroupAgainstParentDeath(pgid: number): GroupGuard {
  registered.add(pgid);
  liveGuard()?.stdin.write(`+ ${pgid}\n`);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      registered.delete(pgid);
      if (guard && guard.exitCode === null && guard.stdin.writable) guard.stdin.write(`- ${pgid}\n`);
    },
  };
}

/** The guard's pid, for tests (undefined before the first command). */
export function groupGuardPid(): number | undefined {
  return guard?.pid;
}

/**
 * Ends the guard's input, as firebreak's death would: it kills the groups still registered and exits. For a clean
 * shutdown and for tests; a later command starts a new guard.
 */
export function closeGroupGuard(): void {
  guard?.stdin.end();
  guard = undefined;
}
