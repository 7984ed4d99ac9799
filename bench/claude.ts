/**
 * `npm run bench -- claude`: what one Claude Code hook call costs, as Claude Code pays it (a new process per
 * tool call, the event on stdin), side by side and interleaved in one run:
 * - `firebreak claude hook` through a running daemon, as the installed command (bin/firebreak: the native launcher,
 *   `POST /v1/cli`, no Node start) and through the Node client (`node bin/firebreak.js`, `POST /v1/claude/hook`)
 * - `firebreak claude hook` in-process (FIREBREAK_DAEMON=off: the full CLI, config, tree-sitter)
 * - cc-safety-net's hook (`cc-safety-net hook --claude-code`, a dev dependency for this comparison only)
 * Each is given the same two events (`git status`, `rm -rf ~`), and must answer allow/deny as expected.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");
const BIN = path.join(root, "bin", "firebreak.js");
/** What Claude Code runs (`firebreak claude hook` on PATH): bin/firebreak, the native launcher when built. */
const COMMAND = path.join(root, "bin", "firebreak");
const CC_SAFETY_NET = path.join(root, "node_modules", "cc-safety-net", "dist", "bin", "cc-safety-net.js");
const ROUNDS = 9;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1] ?? 0;
}

function healthy(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath: socket, path: "/healthz" }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.end();
  });
}

export async function runClaudeBench(): Promise<void> {
  if (!fs.existsSync(CC_SAFETY_NET)) return console.log("claude: cc-safety-net is not installed (npm install): not measured");
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "fb-claudebench-home-"));
  const project = fs.mkdtempSync(path.join(os.tmpdir(), "fb-claudebench-proj-"));
  const socket = path.join(home, "d.sock");
  // Nothing of the user's: config, state, audit and cc-safety-net's own files live under a temp home.
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), XDG_STATE_HOME: path.join(home, ".state"), FIREBREAK_SOCKET: socket };
  let daemon: ChildProcess | undefined;
  try {
    daemon = spawn(process.execPath, [BIN, "serve", "--socket", socket], { cwd: project, env, stdio: "ignore" });
    const deadline = Date.now() + 20_000;
    while (!(await healthy(socket))) {
      if (Date.now() > deadline || daemon.exitCode !== null) return console.log("claude: firebreak serve did not come up: not measured");
      await new Promise((r) => setTimeout(r, 50));
    }
    const event = (command: string) => JSON.stringify({ session_id: "bench", transcript_path: "/dev/null", cwd: project, hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command } });
    const events = [
      { input: event("git status"), expect: "allow" },
      { input: event("rm -rf ~"), expect: "deny" },
    ];
    const hooks: { label: string; file?: string; args: string[]; env: NodeJS.ProcessEnv }[] = [
      { label: "firebreak claude hook via daemon", file: COMMAND, args: ["claude", "hook"], env },
      { label: "firebreak claude hook via daemon, Node client (node bin/firebreak.js)", args: [BIN, "claude", "hook"], env },
      { label: "firebreak claude hook in-process", args: [BIN, "claude", "hook"], env: { ...env, FIREBREAK_DAEMON: "off" } },
      // What the installed command costs when no daemon runs: the launcher finds no socket, then Node runs it.
      { label: "firebreak claude hook in-process, installed command, no daemon", file: COMMAND, args: ["claude", "hook"], env: { ...env, FIREBREAK_SOCKET: path.join(home, "none.sock") } },
      { label: "cc-safety-net hook --claude-code", args: [CC_SAFETY_NET, "hook", "--claude-code"], env },
    ];
    const BASELINE = hooks.length - 1;
    const times = hooks.map(() => [] as number[]);
    for (let round = -1; round < ROUNDS; round++) {
      // Interleaved, so load on the machine affects all three alike; round -1 warms the file cache.
      for (const e of events) {
        hooks.forEach((hook, i) => {
          const t0 = performance.now();
          const r = spawnSync(hook.file ?? process.execPath, hook.args, { cwd: project, env: hook.env, input: e.input, encoding: "utf8" });
          const ms = performance.now() - t0;
          // cc-safety-net answers an allowed command with no output; firebreak says allow.
          const decision = r.stdout.trim() ? JSON.parse(r.stdout).hookSpecificOutput?.permissionDecision : "allow";
          if (r.status !== 0 || decision !== e.expect) throw new Error(`${hook.label}: expected ${e.expect}, got exit ${r.status} ${r.stdout}${r.stderr}`);
          if (round >= 0) times[i]!.push(ms);
        });
      }
    }
    const medians = times.map(median);
    const baseline = medians[BASELINE]!;
    hooks.forEach((hook, i) => {
      const ratio = i === BASELINE ? "" : ` (${(medians[i]! / baseline).toFixed(2)}x cc-safety-net)`;
      console.log(`claude: ${hook.label}: median ${Math.round(medians[i]!)} ms per call over ${times[i]!.length} calls (min ${Math.round(Math.min(...times[i]!))})${ratio}`);
    });
  } finally {
    daemon?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(project, { recursive: true, force: true });
  }
}
