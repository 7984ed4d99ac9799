import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { parentDeathGuardAvailable } from "../../src/exec/pdeathsig.js";
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

describe("parent-death guard (issue 11, item 6)", () => {
  it("after SIGKILL of firebreak, the local command's whole group is gone within a second", async () => {
    expect(parentDeathGuardAvailable()).toBe(true); // util-linux setpriv is part of this machine kind
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
});
