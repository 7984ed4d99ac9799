/**
 * Background priority for VMMs the pool restores ahead of demand. Under TCG a restore plus its warm-up is ~0.3-0.5 s
 * of CPU; run at normal priority right after a VM is lent, it takes the CPU from the command that VM is running (on
 * the 2-CPU machine measured, a VM-placed `true` went from ~120 ms alone to ~290 ms with a refill beside it). A refill
 * VMM therefore starts at nice `BACKGROUND_NICE` and is raised back to 0, every thread of it, when it is lent.
 *
 * Lowering a nice value needs CAP_SYS_NICE or RLIMIT_NICE room; where the process has neither, refills start at
 * normal priority as before (a command must never run at background priority because the pool could not raise it).
 */
import fs from "node:fs";
import os from "node:os";

export const BACKGROUND_NICE = 10;

let canRaise: boolean | undefined;

/**
 * Whether this process may set a VMM back to nice 0 after starting it niced: root, or RLIMIT_NICE at 20 or more
 * ("Max nice priority" in /proc/self/limits; the lowest nice value allowed is 20 - that limit).
 *
 * @example if (mayRunInBackground()) spec.niceness = BACKGROUND_NICE;
 */
export function mayRunInBackground(limitsText?: string, uid: number = process.getuid?.() ?? -1): boolean {
  if (limitsText === undefined && canRaise !== undefined) return canRaise;
  let allowed = uid === 0;
  if (!allowed) {
    let text = limitsText;
    try {
      text ??= fs.readFileSync("/proc/self/limits", "utf8");
    } catch {
      text = "";
    }
    const soft = /^Max nice priority\s+(\S+)/m.exec(text)?.[1];
    allowed = soft === "unlimited" || (soft !== undefined && Number(soft) >= 20);
  }
  if (limitsText === undefined) canRaise = allowed;
  return allowed;
}

/**
 * Sets every thread of process `pid` to nice 0 (setpriority on a pid reaches one thread only). Returns how many
 * threads were raised; a thread that is gone meanwhile is skipped.
 *
 * @example raiseToForeground(vm.pid);
 */
export function raiseToForeground(pid: number): number {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let raised = 0;
  for (const tid of tids) {
    try {
      if (os.getPriority(Number(tid)) !== 0) os.setPriority(Number(tid), 0);
      raised++;
    } catch {
      // the thread exited between the listing and the call
    }
  }
  return raised;
}
