/**
 * On a terminal, a microVM run's pending changes are asked about after the run — in-process and through the daemon —
 * in a real terminal (tmux), with real microVMs.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolvePaths } from "../../src/paths.js";
import { startDaemon } from "../server/daemon-process.js";
import { definition, isolatedEnv, REPO_ROOT, tempDir, writeTree } from "../helpers/tmp.js";
import { startTmux, type TmuxSession, tmuxAvailable } from "../helpers/tmux.js";
import { reportMissingVmEnv, vmTestEnv } from "../vm/qemu/vm-env.js";

const env = await vmTestEnv();
reportMissingVmEnv(env, "changes asked about on a terminal");
const sessions: TmuxSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
});

function project() {
  const home = tempDir("fb-home-");
  const dir = tempDir("fb-proj-");
  writeTree(dir, {
    "firebreak.toml": `[vm]\nbackend = "qemu"\ncache_dir = ${JSON.stringify(resolvePaths(process.env).stateDir)}\n`,
    ".firebreak/commands/scribble.md": definition("scribble", "execution_mode: firecracker\n", "echo made > made.txt"),
  });
  return { dir, env: isolatedEnv(home) };
}

const firebreak = `${process.execPath} ${path.join(REPO_ROOT, "bin/firebreak.js")}`;

describe.runIf(env.ok && tmuxAvailable())("changes asked about on a terminal (tmux, real microVMs)", { timeout: 180_000 }, () => {
  it("in-process: 'y' applies the run's changes; 'n' (another run) stores them and says how to apply", async () => {
    const p = project();
    const t = startTmux(`${firebreak} run scribble; echo EXIT=$?`, { cwd: p.dir, env: { ...p.env, FIREBREAK_DAEMON: "off" } });
    sessions.push(t);
    await t.waitFor(/Apply 1 change\(s\) from the microVM run to .*\? \[y\/N\]/, 120_000);
    expect(fs.existsSync(path.join(p.dir, "made.txt"))).toBe(false);
    t.type("y", "Enter");
    const screen = await t.waitFor(/EXIT=\d+/);
    expect(screen).toContain("applied 1 change(s) from changeset");
    expect(screen).toContain("EXIT=0");
    expect(fs.readFileSync(path.join(p.dir, "made.txt"), "utf8")).toBe("made\n");

    fs.rmSync(path.join(p.dir, "made.txt"));
    const no = startTmux(`${firebreak} run scribble; echo EXIT=$?`, { cwd: p.dir, env: { ...p.env, FIREBREAK_DAEMON: "off" } });
    sessions.push(no);
    await no.waitFor(/\[y\/N\]/, 120_000);
    no.type("n", "Enter");
    expect(await no.waitFor(/EXIT=\d+/)).toMatch(/1 change\(s\) stored, not applied: .*firebreak changes apply \S+/);
    expect(fs.existsSync(path.join(p.dir, "made.txt"))).toBe(false);
  });

  it("through the daemon: the client asks the same question and applies through the API", async () => {
    const p = project();
    const daemon = await startDaemon(p.env, p.dir);
    try {
      const t = startTmux(`${firebreak} run scribble; echo EXIT=$?`, { cwd: p.dir, env: { ...p.env, FIREBREAK_SOCKET: daemon.socket } });
      sessions.push(t);
      const asked = await t.waitFor(/\[y\/N\]/, 120_000);
      expect(asked).toContain("via daemon");
      t.type("y", "Enter");
      expect(await t.waitFor(/EXIT=\d+/)).toContain("EXIT=0");
      expect(fs.readFileSync(path.join(p.dir, "made.txt"), "utf8")).toBe("made\n");
    } finally {
      await daemon.stop();
    }
  });
});
