import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { isolatedEnv, REPO_ROOT, tempDir, writeTree } from "../helpers/tmp.js";
import { type DaemonProcess, startDaemon } from "./daemon-process.js";

/** `firebreak sh` and `firebreak claude hook`: the same answers in-process and through a real daemon. */
describe("sh and claude hook, in-process and through the daemon", () => {
  const home = tempDir("fb-home-");
  const project = tempDir("fb-proj-");
  writeTree(project, { "firebreak.toml": '[[policy.rules]]\nid = "confirm-echo"\naction = "ask"\npattern = "echo *"\nmatch = ["echo hi"]\n' });
  const env = isolatedEnv(home);
  let daemon: DaemonProcess;
  const viaDaemon = () => ({ ...env, FIREBREAK_SOCKET: daemon.socket });
  const inProcess = { ...env, FIREBREAK_DAEMON: "off" };
  const cli = (args: string[], e: NodeJS.ProcessEnv, input?: string) => runCli(args, { cwd: project, env: e, input });
  const command = (args: string[], e: NodeJS.ProcessEnv, input?: string) => runCli(args, { cwd: project, env: e, input, entry: "command" });
  const event = (name: string) => fs.readFileSync(path.join(REPO_ROOT, "test/fixtures/claude", `${name}.json`), "utf8").replaceAll("/work/project", project);

  beforeAll(async () => {
    daemon = await startDaemon(env, project);
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  it("acceptance: the issue's printf line answers deny for rm -rf ~ and allow for git status (in-process)", () => {
    const hook = (command: string) => {
      const script = `printf '%s' '{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"${command}"},"cwd":"'$PWD'","session_id":"s","transcript_path":"/dev/null"}' | node "$FIREBREAK" claude hook`;
      const r = spawnSync("/bin/sh", ["-c", script], { cwd: project, env: { ...inProcess, FIREBREAK: path.join(REPO_ROOT, "bin/firebreak.js") }, encoding: "utf8" });
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout).hookSpecificOutput.permissionDecision;
    };
    expect(hook("rm -rf ~")).toBe("deny");
    expect(hook("git status")).toBe("allow");
  });

  it("claude hook prints the same through the daemon as in-process, for every recorded event and malformed input", async () => {
    const inputs = ["pre-bash-git-status", "pre-bash-rm-rf-home", "pre-bash-echo-ask", "pre-write-git-hook", "pre-edit-readme"].map(event);
    for (const input of [...inputs, "not json", '{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{}}']) {
      const [remote, local] = [await cli(["claude", "hook"], viaDaemon(), input), await cli(["claude", "hook"], inProcess, input)];
      expect({ input, ...remote }).toEqual({ input, ...local });
      // The installed command relays the event through the native launcher: the same answer.
      expect({ input, ...(await command(["claude", "hook"], viaDaemon(), input)) }).toEqual({ input, ...local });
      expect(remote.code).toBe(0);
    }
    const deny = await cli(["claude", "hook"], viaDaemon(), event("pre-bash-rm-rf-home"));
    expect(JSON.parse(deny.stdout).hookSpecificOutput.permissionDecision).toBe("deny");
  });

  it("PostToolUse through the daemon lands in the audit log", async () => {
    const post = await cli(["claude", "hook"], viaDaemon(), event("post-bash-git-status"));
    expect(post).toEqual({ code: 0, stdout: "", stderr: "" });
    const [record] = JSON.parse((await cli(["audit", "tail", "-n", "1", "--json"], inProcess)).stdout);
    expect(record).toMatchObject({ kind: "agent_tool", rendered: "git status", extra: { event: "PostToolUse", tool_name: "Bash" } });
  });

  it("with nobody listening on the socket, the hook falls back to in-process and still has the event to read", async () => {
    // The client asks the daemon before it reads stdin, so the fallback sees the whole event.
    const gone = path.join(tempDir("fb-sock-"), "gone.sock");
    fs.writeFileSync(gone, "");
    const r = await cli(["claude", "hook"], { ...env, FIREBREAK_SOCKET: gone }, event("pre-bash-git-status"));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hookSpecificOutput.permissionDecision).toBe("allow");
  });

  it("sh gives the same output and exit status through the daemon as in-process: host run, refusal, ask, --json", async () => {
    const same = async (args: string[]) => {
      const [remote, local, relayed] = [await cli(args, viaDaemon()), await cli(args, inProcess), await command(args, viaDaemon())];
      expect({ args, ...relayed }).toEqual({ args, ...remote });
      const via = (s: string) => s.replace("role developer", "role developer · via daemon");
      expect({ args, code: remote.code, stdout: remote.stdout }).toEqual({ args, code: local.code, stdout: via(local.stdout) });
      expect(remote.stderr).toBe(local.stderr.replace("role developer", "role developer · via daemon"));
      return { remote, local };
    };
    const ran = await same(["sh", "--", "printf '%s\\n' one two | wc -l"]);
    expect(ran.remote).toMatchObject({ code: 0, stdout: "2\n" });
    expect((await same(["sh", "--", "rm -rf ~"])).remote.code).toBe(77);
    expect((await same(["sh", "echo", "hi"])).remote.stderr).toContain("confirm");
    expect((await same(["sh", "--yes", "echo", "hi"])).remote.stdout).toBe("hi\n");
    expect((await same(["sh", "--plan", "--", "ls -la"])).remote.stdout).toContain("shell line 'ls -la'");
    const json = await cli(["sh", "--json", "--", "true; exit 3"], viaDaemon());
    const local = await cli(["sh", "--json", "--", "true; exit 3"], inProcess);
    expect([json.code, local.code]).toEqual([3, 3]);
    expect(JSON.parse(json.stdout).result).toMatchObject({ exitCode: 3, stdout: "", placement: "local" });
    expect(Object.keys(JSON.parse(json.stdout))).toEqual(Object.keys(JSON.parse(local.stdout)));
    // Both runs are audited as shell lines (each after its intent record).
    const records = JSON.parse((await cli(["audit", "tail", "-n", "4", "--json"], inProcess)).stdout) as { kind: string; command: null; rendered: string }[];
    expect(records.filter((r) => r.kind === "run").map((r) => [r.kind, r.command, r.rendered])).toEqual([
      ["run", null, "true; exit 3"],
      ["run", null, "true; exit 3"],
    ]);
  });
});
