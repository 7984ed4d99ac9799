/**
 * The terminal UI: (1) start to first prompt — `firebreak` with no arguments on a pseudo-terminal (util-linux
 * `script`) until the status line is drawn — against `firebreak --version` the same way, interleaved in one run;
 * (2) keystroke to suggestions with 1,000 definitions loaded: the completion itself, and a key written to the Ink
 * app until its frame shows the new suggestions (React + Ink layout, in-process with ink-testing-library).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { render } from "ink-testing-library";
import { createElement } from "react";
import { App } from "../src/tui/app.js";
import type { TuiBackend } from "../src/tui/backend.js";
import { type CommandInfo, CommandIndex, complete } from "../src/tui/complete.js";
import { Session } from "../src/tui/session.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");
const BIN = path.join(root, "bin", "firebreak.js");
const START_RUNS = 9;
const KEY_RUNS = 200;
export const DEFINITIONS = 1000;
const KEYSTROKE_TARGET_MS = 16;

const quantile = (values: number[], q: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};
const fmt = (ms: number) => ms.toFixed(ms < 10 ? 2 : 0);

/** Milliseconds from spawn until `until` shows on the pseudo-terminal (or the process ends, for --version). */
function timeOnPty(args: string, env: NodeJS.ProcessEnv, cwd: string, until?: RegExp): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("script", ["-qfec", `${process.execPath} ${BIN} ${args}`, "/dev/null"], { cwd, env, stdio: ["pipe", "pipe", "ignore"], detached: true });
    let seen = "";
    let done = false;
    const finish = (ms: number) => {
      if (done) return;
      done = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      resolve(ms);
    };
    child.stdout.on("data", (c: Buffer) => {
      seen += c.toString("utf8");
      if (until?.test(seen)) finish(performance.now() - t0);
    });
    child.on("exit", () => (until ? !done && reject(new Error(`exited before showing ${until}: ${seen.slice(-300)}`)) : finish(performance.now() - t0)));
    setTimeout(() => !done && reject(new Error(`no ${until} within 20 s`)), 20_000).unref();
  });
}

async function startToPrompt(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "fb-tuibench-"));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, "c"), XDG_STATE_HOME: path.join(home, "s"), XDG_RUNTIME_DIR: path.join(home, "r"), FIREBREAK_DAEMON: "off", TERM: "xterm" };
  try {
    const ui: number[] = [];
    const version: number[] = [];
    await timeOnPty("", env, home, /role \S+ · /); // warm the file cache
    for (let i = 0; i < START_RUNS; i++) {
      version.push(await timeOnPty("--version", env, home));
      ui.push(await timeOnPty("", env, home, /role \S+ · /));
    }
    const [u, v] = [quantile(ui, 0.5), quantile(version, 0.5)];
    console.log(`tui: start to first prompt: median ${fmt(u)} ms vs firebreak --version ${fmt(v)} ms (both on a pty, interleaved, ${START_RUNS} runs each): ${(u / v).toFixed(2)}x`);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** 1,000 definitions with aliases, parameters and allowed values, named like real ones. */
export function syntheticCommands(n = DEFINITIONS): CommandInfo[] {
  const verbs = ["build", "deploy", "test", "lint", "backup", "restore", "migrate", "sync", "release", "scan"];
  const things = ["api", "web", "db", "cache", "queue", "docs", "infra", "auth", "billing", "search"];
  return Array.from({ length: n }, (_, i) => {
    const name = `${verbs[i % 10]}-${things[Math.floor(i / 10) % 10]}${i >= 100 ? `-${Math.floor(i / 100)}` : ""}`;
    return {
      name,
      aliases: [`${verbs[i % 10]!.slice(0, 2)}${i}`],
      description: `${verbs[i % 10]} the ${things[Math.floor(i / 10) % 10]} service (variant ${i})`,
      risk_level: "low",
      execution_mode: "local",
      runnable: true,
      parameters: [
        { name: "environment", type: "string", allowed_values: ["dev", "staging", "production"], secret: false, required: true },
        { name: "verbose", type: "boolean", secret: false, required: false },
      ],
    };
  });
}

/** A backend that only lists: the benchmark measures typing, nothing runs. */
function listingBackend(commands: CommandInfo[], stateDir: string): TuiBackend {
  const none = async () => {
    throw new Error("not in the benchmark");
  };
  return {
    mode: "in-process",
    cwd: stateDir,
    stateDir,
    defaultRole: "developer",
    roles: () => ["developer"],
    commands: async () => commands,
    describe: async (name) => commands.find((c) => c.name === name),
    terms: () => [],
    loadTerms: async () => {},
    prepare: none,
    check: none,
    auditTail: none,
    changes: none,
    pool: async () => undefined,
    reload: none,
    problems: none,
    projectCommandsDir: none,
  };
}

async function keystrokeToSuggestions(): Promise<void> {
  const commands = syntheticCommands();
  const source = { index: new CommandIndex(commands), roles: ["developer"] };
  const typed = ["d", "de", "dep", "depl", "deplo", "deploy", "deploy-", "deploy-d", "deploy-db", "deploy-db-5", "deploy-db-5 --e", "deploy-db-5 --environment s"];
  const pure: number[] = [];
  for (const line of typed) complete(line, line.length, source); // warm-up: the first calls compile the code
  for (let i = 0; i < KEY_RUNS; i++) {
    const line = typed[i % typed.length]!;
    const t0 = performance.now();
    complete(line, line.length, source);
    pure.push(performance.now() - t0);
  }

  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "fb-tuikeys-"));
  const session = new Session(listingBackend(commands, stateDir), { color: false });
  await session.loadCommands();
  const ui = render(createElement(App, { session, color: false }));
  const frames: number[] = [];
  const word = "deploy-db-5";
  try {
    for (let i = -2 * word.length; i < KEY_RUNS; i++) {
      const at = ((i % word.length) + word.length) % word.length;
      const ch = word[at]!;
      if (at === 0) {
        ui.stdin.write("\x15"); // Ctrl-U: a new word
        await sleep(5);
      }
      const before = ui.lastFrame();
      const t0 = performance.now();
      ui.stdin.write(ch);
      while (ui.lastFrame() === before && performance.now() - t0 < 1000) await new Promise((r) => setImmediate(r));
      if (i >= 0) frames.push(performance.now() - t0); // the first two words warm up
    }
  } finally {
    ui.unmount();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  const p95 = quantile(frames, 0.95);
  console.log(
    `tui: keystroke to suggestions, ${DEFINITIONS} definitions: completion p50 ${fmt(quantile(pure, 0.5))} ms, p95 ${fmt(quantile(pure, 0.95))} ms; ` +
      `key to new frame (React + Ink) p50 ${fmt(quantile(frames, 0.5))} ms, p95 ${fmt(p95)} ms (target ${KEYSTROKE_TARGET_MS} ms p95: ${p95 <= KEYSTROKE_TARGET_MS ? "met" : "NOT met"}, ${(p95 / KEYSTROKE_TARGET_MS).toFixed(2)}x)`,
  );
}

export async function runTuiBench(): Promise<void> {
  await startToPrompt();
  await keystrokeToSuggestions();
}
