/**
 * The lean client (dist/client.cjs) is what every call through the daemon loads: Node's costlier modules must wait
 * until a call uses them (scripts/bundle.mjs lazyBuiltins), and a call that falls back (no daemon) loads no socket.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";

const CLIENT = path.join(REPO_ROOT, "dist", "client.cjs");

/** Node's own modules loaded after `script` ran in a fresh process. */
function builtinsAfter(script: string, env: NodeJS.ProcessEnv = {}): string[] {
  const r = spawnSync(process.execPath, ["-e", `${script}.then(() => console.log(JSON.stringify(process.moduleLoadList)))`], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });
  expect(r.stderr).toBe("");
  return (JSON.parse(r.stdout) as string[]).filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice("NativeModule ".length));
}

describe("the lean client bundle", () => {
  it("loads node:net, node:tty and node:os only when a call uses them", () => {
    const loaded = builtinsAfter(`Promise.resolve(require(${JSON.stringify(CLIENT)}))`);
    expect(loaded).not.toContain("net");
    expect(loaded).not.toContain("tty");
    expect(loaded).not.toContain("os");
  });

  it("opens a socket for a call, and asks no terminal question when it does not prompt", () => {
    // A stale socket (a file no daemon listens on): the client tries it, then leaves the call to the in-process CLI.
    const home = tempDir("fb-client-");
    fs.writeFileSync(path.join(home, "stale.sock"), "");
    const env = { HOME: home, XDG_STATE_HOME: path.join(home, "state"), FIREBREAK_SOCKET: path.join(home, "stale.sock") };
    const loaded = builtinsAfter(`require(${JSON.stringify(CLIENT)}).runClient(["policy", "check", "--", "git status"]).then((status) => { if (status !== undefined) throw new Error("answered: " + status); })`, env);
    expect(loaded).toContain("net");
    expect(loaded).not.toContain("tty");
  });
});
