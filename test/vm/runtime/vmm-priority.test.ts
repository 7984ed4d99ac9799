import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { vmmCommand } from "../../../src/vm/vmm-guard.js";
import { BACKGROUND_NICE, mayRunInBackground, raiseToForeground } from "../../../src/vm/vmm-priority.js";

const LIMITS = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax nice priority         ${soft}                    ${soft}                    \n`;
const children: number[] = [];
afterEach(() => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

const threadNices = (pid: number) => fs.readdirSync(`/proc/${pid}/task`).map((tid) => os.getPriority(Number(tid)));

describe("background priority for pool refills", () => {
  it("is used only where the VMM can be raised back to nice 0 (root, or RLIMIT_NICE >= 20)", () => {
    expect(mayRunInBackground(LIMITS("0"), 1000)).toBe(false);
    expect(mayRunInBackground(LIMITS("19"), 1000)).toBe(false);
    expect(mayRunInBackground(LIMITS("20"), 1000)).toBe(true);
    expect(mayRunInBackground(LIMITS("unlimited"), 1000)).toBe(true);
    expect(mayRunInBackground("", 0)).toBe(true);
    expect(mayRunInBackground("", 1000)).toBe(false);
  });

  it("starts the VMM through nice, inside the parent-death wrapper, same pid", () => {
    const [file, args] = vmmCommand("qemu-system-x86_64", ["-M", "microvm"], { niceness: BACKGROUND_NICE });
    const argv = [file, ...args];
    expect(argv.slice(argv.indexOf("nice"))).toEqual(["nice", "-n", "10", "--", "qemu-system-x86_64", "-M", "microvm"]);
    expect(vmmCommand("qemu-system-x86_64", []).flat()).not.toContain("nice");
  });

  it.runIf(mayRunInBackground())("raises every thread of a niced process to 0, not only the main one", async () => {
    // node starts several threads: setpriority(pid) alone would leave them at nice 10.
    const [file, args] = vmmCommand(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { niceness: BACKGROUND_NICE });
    const child = spawn(file, args, { stdio: "ignore" });
    children.push(child.pid!);
    const deadline = Date.now() + 10_000;
    while ((fs.existsSync(`/proc/${child.pid}/task`) ? fs.readdirSync(`/proc/${child.pid}/task`).length : 0) < 3 || !fs.readFileSync(`/proc/${child.pid}/cmdline`, "utf8").includes("setTimeout")) {
      if (Date.now() > deadline) throw new Error("the niced child did not start its threads");
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(new Set(threadNices(child.pid!))).toEqual(new Set([BACKGROUND_NICE]));
    expect(raiseToForeground(child.pid!)).toBeGreaterThanOrEqual(3);
    expect(new Set(threadNices(child.pid!))).toEqual(new Set([0]));
    expect(raiseToForeground(999_999_999)).toBe(0);
  });
});
