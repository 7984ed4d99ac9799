/**
 * A VMM must die with the firebreak process that started it, even when that process is killed with SIGKILL (no exit
 * handler runs then). Two layers:
 * - the VMM is started through `setpriv --pdeathsig KILL` (util-linux), so the kernel kills it the moment its parent
 *   dies;
 * - a guard (`/bin/sh`, its own process group) holds a pipe from firebreak: when firebreak dies the pipe ends, and the
 *   guard kills the VMM (if it is still the same process: pid and start time) and removes the VM's sockets, run dir and
 *   RAM file. Without setpriv the guard alone does both.
 * What both miss (say, a host crash) is reaped by `reapOrphans` (orphans.ts) at the next start.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { processStartTime } from "./owner-record.js";

let setprivChecked: boolean | undefined;

/** Whether setpriv with --pdeathsig exists here (checked once per process, and only when a VM starts). */
export function parentDeathGuardAvailable(): boolean {
  setprivChecked ??= spawnSync("setpriv", ["--pdeathsig", "TERM", "--", "true"], { stdio: "ignore" }).status === 0;
  return setprivChecked;
}

/**
 * `$1` VMM pid, `$2` its start time, then trees (rm -rf), `--`, files (rm -f). A line "done" = dismissed (the VM was
 * destroyed normally); end of input without it = firebreak died.
 */
const GUARD_SCRIPT = [
  'vmm=$1 start=$2; shift 2',
  'IFS= read -r line && [ "$line" = done ] && exit 0',
  'stat=$(cat "/proc/$vmm/stat" 2>/dev/null) && {',
  '  rest=${stat##*) }',
  '  [ "$(echo "$rest" | cut -d" " -f20)" = "$start" ] && kill -KILL "$vmm" 2>/dev/null',
  "}",
  "trees=1",
  'for p in "$@"; do',
  '  if [ "$p" = -- ]; then trees=; continue; fi',
  '  if [ -n "$trees" ]; then rm -rf -- "$p"; else rm -f -- "$p"; fi',
  "done",
  "exit 0",
].join("\n");

/** How a VMM is tied to firebreak's life here, for `vm doctor`. */
export function vmmParentDeath(): { pdeathsig: boolean; reason: string } {
  return parentDeathGuardAvailable()
    ? { pdeathsig: true, reason: "VMMs get a parent-death signal (setpriv --pdeathsig KILL) and a cleanup guard" }
    : {
        pdeathsig: false,
        reason: "setpriv (util-linux) not found: no parent-death signal; a guard process kills VMMs and removes their files when firebreak dies, and start-up reaps what remains",
      };
}

/**
 * The argv that starts a VMM under a parent-death signal (unchanged when setpriv is absent), at `niceness` if given.
 *
 * @example const [file, args] = vmmCommand("qemu-system-x86_64", ["-M", "microvm"]); spawn(file, args)
 */
export function vmmCommand(file: string, args: string[], opts: { niceness?: number } = {}): [string, string[]] {
  // `nice` execs in place (same pid): set before the VMM makes its first thread, so every thread inherits it.
  const [f, a]: [string, string[]] = opts.niceness ? ["nice", ["-n", String(opts.niceness), "--", file, ...args]] : [file, args];
  if (!parentDeathGuardAvailable()) return [f, a];
  return ["setpriv", ["--pdeathsig", "KILL", "--", f, ...a]];
}

export interface VmmGuard {
  /** The VM was destroyed normally: the guard exits without touching anything. */
  dismiss(): void;
}

/**
 * Starts the guard for one VM: kills `vmmPid` and removes `trees` and `files` when this process dies first.
 *
 * @example const guard = guardVmm(child.pid, { trees: [runDir], files: [ramFile] }); …; guard.dismiss();
 */
export function guardVmm(vmmPid: number, remove: { trees: string[]; files: string[] }): VmmGuard {
  const start = processStartTime(vmmPid) ?? -1;
  let guard: ChildProcess | undefined;
  try {
    guard = spawn("/bin/sh", ["-c", GUARD_SCRIPT, "firebreak-vmm-guard", String(vmmPid), String(start), ...remove.trees, "--", ...remove.files], {
      detached: true, // not in firebreak's process group: a group kill must not take it along
      stdio: ["pipe", "ignore", "ignore"],
    });
  } catch {
    guard = undefined; // no guard: the owner record lets the next start reap the VM
  }
  guard?.on("error", () => undefined);
  guard?.stdin?.on("error", () => undefined);
  guard?.unref();
  (guard?.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  let dismissed = false;
  return {
    dismiss() {
      if (dismissed || !guard?.stdin) return;
      dismissed = true;
      guard.stdin.end("done\n");
    },
  };
}
