import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { encodeFrame, exitFrame } from "../../src/api/cli-frames.js";
import { FIREBREAK_COMMAND, LAUNCHER, runCli, runProgram as run } from "../helpers/cli.js";
import { pidsMatching, waitFor } from "../helpers/proc.js";
import { definition, isolatedEnv, REPO_ROOT, tempDir, writeTree } from "../helpers/tmp.js";
import { type DaemonProcess, startDaemon } from "../server/daemon-process.js";

const HOOK_EVENT = (command: string, cwd: string) => JSON.stringify({ hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command }, cwd, session_id: "s", transcript_path: "/dev/null" });

/**
 * A listener on a Unix socket that answers the launcher's `POST /v1/cli` with `answer(request)` and records what it
 * got; any other request (the Node client's, after a fallback) is dropped unanswered, so that client runs in-process.
 */
async function fakeDaemon(answer: (request: { head: string; body: string }) => Buffer): Promise<{ socket: string; requests: { head: string; body: string }[] }> {
  const socket = path.join(tempDir("fb-fake-"), "d.sock");
  const requests: { head: string; body: string }[] = [];
  const server = net.createServer((conn) => {
    let data = Buffer.alloc(0);
    conn.on("data", (chunk) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = data.subarray(0, end).toString("latin1");
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (data.length < end + 4 + length) return;
      // The whole request first: dropped while the client still writes, it would see EPIPE rather than no answer.
      if (!head.startsWith("POST /v1/cli ")) return conn.destroy();
      const request = { head, body: data.subarray(end + 4, end + 4 + length).toString("utf8") };
      requests.push(request);
      conn.end(answer(request));
    });
    conn.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { socket, requests };
}

const FRAMES_HEAD = "HTTP/1.0 200 OK\r\ncontent-type: application/vnd.firebreak.cli-frames\r\n\r\n";
const framed = (...frames: Buffer[]) => Buffer.concat([Buffer.from(FRAMES_HEAD, "latin1"), ...frames]);

describe("the native launcher (bin/firebreak -> dist/launcher/firebreak)", () => {
  const home = tempDir("fb-home-");
  const project = tempDir("fb-proj-");
  writeTree(project, { ".firebreak/commands/nap.md": definition("nap", "timeout: 120\n", "sleep 30.246") });
  const env = isolatedEnv(home);
  const noNode = tempDir("fb-nopath-"); // a PATH without node: a call that starts Node fails with 127
  let daemon: DaemonProcess;

  beforeAll(async () => {
    daemon = await startDaemon(env, project);
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  it("is built, and relays a frequent call to the daemon without starting Node", async () => {
    expect(fs.statSync(LAUNCHER).mode & 0o111).not.toBe(0);
    const viaDaemon = { ...env, PATH: noNode, FIREBREAK_SOCKET: daemon.socket };
    const denied = await run(LAUNCHER, ["policy", "check", "--", "rm -rf ~"], { cwd: project, env: viaDaemon });
    expect(denied).toMatchObject({ code: 77, stdout: expect.stringMatching(/^denied · risk critical/) });
    const hook = await run(LAUNCHER, ["claude", "hook"], { cwd: project, env: viaDaemon, input: HOOK_EVENT("git status", project) });
    expect(hook.code).toBe(0);
    expect(JSON.parse(hook.stdout).hookSpecificOutput.permissionDecision).toBe("allow");
    // Anything else needs Node: here there is none, which shows that the calls above did not start it.
    const other = await run(LAUNCHER, ["--version"], { cwd: project, env: viaDaemon });
    expect(other.code).toBe(127);
    expect(other.stderr).toContain("cannot run node");
  });

  it("runs the Node CLI for everything else, and in-process without a usable daemon", async () => {
    const command = (args: string[], e: NodeJS.ProcessEnv) => runCli(args, { cwd: project, env: e, entry: "command" });
    expect((await command(["--version"], env)).stdout).toBe(`${JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version}\n`);
    const socketEnv = { ...env, FIREBREAK_SOCKET: daemon.socket };
    expect((await command(["run", "hello-world"], socketEnv)).stderr).toContain("via daemon");
    for (const e of [{ ...socketEnv, FIREBREAK_DAEMON: "off" }, { ...env, FIREBREAK_SOCKET: path.join(tempDir("fb-none-"), "none.sock") }]) {
      const local = await command(["run", "hello-world", "--name", "Ada"], e);
      expect(local).toMatchObject({ code: 0, stdout: "hello, Ada!\n" });
      expect(local.stderr).not.toContain("via daemon");
    }
    const noDaemon = await command(["--no-daemon", "run", "hello-world"], socketEnv);
    expect(noDaemon.stderr).not.toContain("via daemon");
    // A stale socket (nobody listening): the hook still gets its whole event in-process.
    const stale = path.join(tempDir("fb-stale-"), "stale.sock");
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(stale, resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.writeFileSync(stale, "");
    const hook = await runCli(["claude", "hook"], { cwd: project, env: { ...env, FIREBREAK_SOCKET: stale }, input: HOOK_EVENT("rm -rf ~", project), entry: "command" });
    expect(JSON.parse(hook.stdout).hookSpecificOutput.permissionDecision).toBe("deny");
  });

  it("works through a symbolic link, as npm installs it", async () => {
    const bin = tempDir("fb-bin-");
    fs.symlinkSync(FIREBREAK_COMMAND, path.join(bin, "firebreak"));
    const r = await run(path.join(bin, "firebreak"), ["policy", "check", "--", "git status"], { cwd: project, env: { ...env, FIREBREAK_SOCKET: daemon.socket } });
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^local · risk low/) });
  });

  it("Ctrl-C drops the call: exit 130, the daemon kills the command and audits the run as cancelled", async () => {
    const child = spawn(LAUNCHER, ["run", "nap"], { cwd: project, env: { ...env, FIREBREAK_SOCKET: daemon.socket }, stdio: "ignore" });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("exit", (code, signal) => resolve([code, signal])));
    expect(await waitFor(() => pidsMatching("sleep 30.246").length > 0, 15_000)).toBe(true);
    child.kill("SIGINT");
    expect(await exited).toEqual([130, null]);
    expect(await waitFor(() => pidsMatching("sleep 30.246").length === 0, 2_000)).toBe(true);
    const lastRecord = () => JSON.parse(fs.readFileSync(path.join(home, ".state/firebreak/audit/audit.jsonl"), "utf8").trim().split("\n").at(-1)!);
    expect(await waitFor(() => lastRecord().kind === "cancelled", 5_000)).toBe(true);
    expect(lastRecord()).toMatchObject({ command: "nap", exit_status: 130 });
  });

  it("sends the exact arguments, environment, working directory and terminals, and relays frames in order", async () => {
    const fake = await fakeDaemon(() => framed(encodeFrame("r"), encodeFrame("o", "out1 "), encodeFrame("e", "err\n"), encodeFrame("o", Buffer.from([0, 0xff, 0x0a])), exitFrame(3)));
    const odd = ['say "hi"\\there', "tab\there\nnewline", "é ✓ \x7f \x01", ""];
    const r = await run(LAUNCHER, ["policy", "check", "--", ...odd], { cwd: project, env: { ...env, FIREBREAK_SOCKET: fake.socket, ODD_VALUE: 'a"b\\c\nd' } });
    expect(r).toMatchObject({ code: 3, stderr: "err\n" });
    expect(Buffer.from(r.stdout, "latin1").length).toBeGreaterThan(0);
    expect(r.stdout.startsWith("out1 ")).toBe(true);
    const [request] = fake.requests;
    expect(request!.head).toMatch(/^POST \/v1\/cli HTTP\/1\.0\r\n/);
    const body = JSON.parse(request!.body);
    expect(body.argv).toEqual(["policy", "check", "--", ...odd]);
    expect(body.cwd).toBe(fs.realpathSync(project));
    expect(body.env).toMatchObject({ ODD_VALUE: 'a"b\\c\nd', HOME: home, FIREBREAK_SOCKET: fake.socket });
    expect(body.tty).toEqual({ stdin: false, stdout: false, stderr: false });
    expect(body.socket).toBe(fake.socket);
    expect(body.stdin_base64).toBeUndefined();
  });

  it("sends a hook's stdin whole (1 MB), and gives it back to the Node CLI when the daemon passes the call back", async () => {
    const event = JSON.stringify({ hook_event_name: "PreToolUse", tool_name: "Write", tool_input: { file_path: path.join(project, "big.txt"), content: "x".repeat(1_000_000) }, cwd: project, session_id: "s" });
    const sent = await fakeDaemon(() => framed(encodeFrame("r"), encodeFrame("o", "{}\n"), exitFrame(0)));
    await run(LAUNCHER, ["claude", "hook"], { cwd: project, env: { ...env, FIREBREAK_SOCKET: sent.socket }, input: event });
    expect(Buffer.from(JSON.parse(sent.requests[0]!.body).stdin_base64, "base64").toString("utf8")).toBe(event);
    // Passed back ('f'), or an older daemon without the endpoint (404): the Node CLI answers the same event.
    const local = await runCli(["claude", "hook"], { cwd: project, env: { ...env, FIREBREAK_DAEMON: "off" }, input: HOOK_EVENT("rm -rf ~", project) });
    for (const answer of [framed(encodeFrame("f", "not relayed")), Buffer.from("HTTP/1.0 404 Not Found\r\ncontent-type: application/json\r\n\r\n{}")]) {
      const fake = await fakeDaemon(() => answer);
      const r = await run(LAUNCHER, ["claude", "hook"], { cwd: project, env: { ...env, FIREBREAK_SOCKET: fake.socket }, input: HOOK_EVENT("rm -rf ~", project) });
      expect(fake.requests.length).toBeGreaterThanOrEqual(1);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: local.stdout });
      expect(JSON.parse(r.stdout).hookSpecificOutput.permissionDecision).toBe("deny");
    }
  });

  it.runIf(process.getuid?.() === 0)("talks only to a daemon of its own user: another user's socket is passed over", async () => {
    // A listener run as `nobody` where the socket would be: it would answer every call with IMPOSTOR.
    const dir = tempDir("fb-other-");
    fs.chmodSync(dir, 0o777);
    const socket = path.join(dir, "d.sock");
    const script = `const f=(t,p)=>{const b=Buffer.from(p);const h=Buffer.alloc(5);h.write(t);h.writeUInt32BE(b.length,1);return Buffer.concat([h,b])};
require("net").createServer((c)=>{c.once("data",()=>{process.stdout.write("request\\n");c.end(Buffer.concat([Buffer.from("HTTP/1.0 200 OK\\r\\ncontent-type: application/vnd.firebreak.cli-frames\\r\\n\\r\\n"),f("r",""),f("o","IMPOSTOR\\n"),f("x",Buffer.alloc(4))]))})}).listen(process.argv[1],()=>process.stdout.write("listening\\n"));`;
    const other = spawn(process.execPath, ["-e", script, socket], { uid: 65534, gid: 65534, stdio: ["ignore", "pipe", "inherit"] });
    onTestFinished(() => {
      other.kill();
    });
    let seen = "";
    other.stdout!.on("data", (c) => (seen += c));
    expect(await waitFor(() => seen.includes("listening"), 10_000)).toBe(true);
    expect(fs.statSync(socket).uid).toBe(65534);
    const e = { ...env, FIREBREAK_SOCKET: socket };
    const local = await runCli(["policy", "check", "--", "git status"], { cwd: project, env: { ...env, FIREBREAK_DAEMON: "off" } });
    for (const entry of ["command", "node"] as const) {
      const r = await runCli(["policy", "check", "--", "git status"], { cwd: project, env: e, entry });
      expect({ entry, ...r }).toEqual({ entry, ...local });
    }
    expect(seen).not.toContain("request");
  });

  it("never runs a call twice: accepted then cut off is an error, not a second run in-process", async () => {
    const cut = await fakeDaemon(() => framed(encodeFrame("r"), encodeFrame("e", "firebreak: hello-world → local (host)\n")));
    const r = await run(LAUNCHER, ["run", "hello-world"], { cwd: project, env: { ...env, FIREBREAK_SOCKET: cut.socket } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`the daemon on ${cut.socket} failed`);
    // Cut off before it accepted: nothing ran there, so it runs here.
    const early = await fakeDaemon(() => Buffer.from(FRAMES_HEAD, "latin1"));
    expect(await run(LAUNCHER, ["run", "hello-world"], { cwd: project, env: { ...env, FIREBREAK_SOCKET: early.socket } })).toMatchObject({ code: 0, stdout: "hello, World!\n" });
    // A frame larger than the launcher takes, or output before acceptance: not firebreak's daemon.
    const huge = await fakeDaemon(() => framed(encodeFrame("r"), Buffer.from([0x6f, 0x7f, 0xff, 0xff, 0xff])));
    expect((await run(LAUNCHER, ["run", "hello-world"], { cwd: project, env: { ...env, FIREBREAK_SOCKET: huge.socket } })).code).toBe(1);
    // A hook cut off after acceptance still answers: decided in-process from the same event.
    const hookCut = await fakeDaemon(() => framed(encodeFrame("r")));
    const hook = await run(LAUNCHER, ["claude", "hook"], { cwd: project, env: { ...env, FIREBREAK_SOCKET: hookCut.socket }, input: HOOK_EVENT("rm -rf ~", project) });
    expect(hook.code).toBe(0);
    expect(JSON.parse(hook.stdout).hookSpecificOutput.permissionDecision).toBe("deny");
  });
});
