import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { closeGroupGuard, groupGuardPid, guardGroupAgainstParentDeath } from "../../src/exec/group-guard.js";
import { runLocal } from "../../src/exec/local.js";
import { REPO_ROOT } from "../helpers/tmp.js";

/** Live (non-zombie) members of a process group, from /proc: a killed orphan may stay a zombie until reaped. */
function groupAlive(pgid: number): boolean {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z") return true;
  }
  return false;
}

describe("group guard: nothing outlives firebreak (issue 11, item 6)", () => {
  it("after SIGKILL of firebreak, the local command's whole group is gone within a second", async () => {
    const parent = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "test/fixtures/run-local-forever.ts")], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] });
    const pgid = await new Promise<number>((resolve, reject) => {
      let out = "";
      parent.stdout.on("data", (c) => {
        out += c;
        const m = /pgid (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      parent.on("exit", () => reject(new Error(`parent exited early: ${out}`)));
    });
    await sleep(300); // let the shell fork its sleep: that child is what used to survive
    expect(groupAlive(pgid)).toBe(true);
    parent.kill("SIGKILL");
    const deadline = Date.now() + 1000;
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(20);
    const survived = groupAlive(pgid);
    if (survived) process.kill(-pgid, "SIGKILL"); // do not leave it behind when the test fails
    expect(survived).toBe(false);
  }, 30_000);

  it("one guard serves every command of a process, and a dismissed group is left alone", async () => {
    const run = (script: string) => runLocal({ script, cwd: process.cwd(), env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, killGraceMs: 1000, outputCapBytes: 1024 });
    expect((await run("true")).exitCode).toBe(0);
    const guard = groupGuardPid();
    expect(guard).toBeGreaterThan(0);
    expect((await run("echo hi")).stdout).toBe("hi\n");
    expect(groupGuardPid()).toBe(guard);
    // A group firebreak no longer guards (its command ended) must not be killed when firebreak goes: its id may
    // belong to somebody else by then. Stand in for it with a live group the guard is told about and then dismisses.
    const other = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    guardGroupAgainstParentDeath(other.pid!).stop();
    const guardProcess = guard!;
    process.kill(-guardProcess, 0); // alive
    // End of input, as when firebreak dies: the guard exits, killing only what is still registered.
    const exited = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        try {
          process.kill(guardProcess, 0);
        } catch {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    closeGroupGuard();
    await exited;
    expect(groupAlive(other.pid!)).toBe(true);
    other.kill("SIGKILL");
    await once(other, "exit");
  }, 30_000);
});
