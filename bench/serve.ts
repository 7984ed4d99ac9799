/**
 * `npm run bench -- serve`: the daemon against in-process, measured side by side in one run (each pair
 * interleaved, medians), with the ratios the service was built for, each call made as a user makes it: the
 * installed `firebreak` command (bin/firebreak: the native launcher, which relays to the daemon without Node):
 * - `firebreak run hello-world` through the daemon vs `node -e 0` (target <= 2.0x)
 * - the same in-process vs `node -e 0` (target <= 4x)
 * - one `policy check -- "<line>"` through the daemon vs in-process (target <= 0.5x)
 * - and the same two through the Node client (`node bin/firebreak.js`, no launcher), for comparison
 * - `POST /v1/policy/check` with one line over the socket (target >= 2,000 requests/s), steady state and first seconds
 * The daemon first serves RUN_WARMUP_MS of runs through the API, as one does a few minutes into a session.
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
/** The installed command: bin/firebreak runs the native launcher when it is built. */
const COMMAND = path.join(root, "bin", "firebreak");
const RUNS = 15;
const THROUGHPUT_WINDOW_MS = 3000;
/** Load before the steady-state window: V8 optimises the request path over the first few seconds. */
const THROUGHPUT_WARMUP_MS = 6000;
/** Runs through the API before the side-by-side runs are timed. */
const RUN_WARMUP_MS = 3000;
const THROUGHPUT_CONCURRENCY = 4;
const LINE = "git status && npm test -- --watch=false";

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1] ?? 0;
}

/** A call to time: `file` (default: node) with `args`. */
interface Call {
  file?: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

function timed({ file = process.execPath, args, env }: Call, cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(file, args, { cwd, env, stdio: "ignore" });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 77) throw new Error(`${args.join(" ")} exited ${r.status}`);
  return ms;
}

/** Runs the commands in turn RUNS times (after a warm-up each) and returns each one's median. */
function sideBySide(commands: Call[], cwd: string): number[] {
  for (const c of commands) timed(c, cwd);
  const samples = commands.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i++) {
    for (const [j, c] of commands.entries()) samples[j]!.push(timed(c, cwd));
  }
  return samples.map(median);
}

/** POSTs `body` to `route` as fast as THROUGHPUT_CONCURRENCY keep-alive connections allow, for `ms`; requests/s. */
async function load(agent: http.Agent, socket: string, route: string, body: string, ms: number): Promise<number> {
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ socketPath: socket, path: route, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.once("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.once("error", reject);
      req.end(body);
    });
  let done = 0;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: THROUGHPUT_CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await one();
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

/**
 * Throughput of `POST /v1/policy/check` over the socket: the first window right after start-up (V8 still interprets
 * the request path) and the steady state of a daemon that has been answering for a while (the verdict: a daemon is a
 * long-running service).
 */
async function throughput(socket: string, cwd: string): Promise<{ firstRps: number; steadyRps: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: THROUGHPUT_CONCURRENCY });
  const body = JSON.stringify({ line: LINE, cwd });
  try {
    const firstRps = await load(agent, socket, "/v1/policy/check", body, THROUGHPUT_WINDOW_MS);
    await load(agent, socket, "/v1/policy/check", body, THROUGHPUT_WARMUP_MS);
    const steadyRps = await load(agent, socket, "/v1/policy/check", body, THROUGHPUT_WINDOW_MS);
    return { firstRps, steadyRps };
  } finally {
    agent.destroy();
  }
}

/** A daemon that has served a few runs, as one does after minutes of an agent's session: its run path is compiled. */
async function warmRuns(socket: string, cwd: string): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await load(agent, socket, "/v1/runs", JSON.stringify({ command: "hello-world", args: [], cwd }), RUN_WARMUP_MS);
  } finally {
    agent.destroy();
  }
}

async function startDaemon(socket: string, cwd: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, "serve", "--socket", socket], { cwd, env, stdio: "ignore" });
  for (let i = 0; i < 400; i++) {
    if (fs.existsSync(socket)) {
      const ok = spawnSync(process.execPath, [BIN, "daemon", "status"], { cwd, env: { ...env, FIREBREAK_SOCKET: socket }, stdio: "ignore" }).status === 0;
      if (ok) return child;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill();
  throw new Error("firebreak serve did not come up");
}

const verdict = (ok: boolean) => (ok ? "met" : "NOT met");

export async function runServeBench(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "fb-servebench-"));
  const cwd = path.join(home, "project");
  fs.mkdirSync(cwd);
  const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, "c"), XDG_STATE_HOME: path.join(home, "s") };
  const socket = path.join(home, "d.sock");
  const daemon = await startDaemon(socket, cwd, env);
  try {
    await warmRuns(socket, cwd);
    const viaDaemon = { ...env, FIREBREAK_SOCKET: socket };
    const inProcess = { ...env, FIREBREAK_DAEMON: "off" };
    const [nodeMs, daemonRunMs, localRunMs, clientRunMs] = sideBySide(
      [
        { args: ["-e", "0"], env },
        { file: COMMAND, args: ["run", "hello-world"], env: viaDaemon },
        { file: COMMAND, args: ["run", "hello-world"], env: inProcess },
        { args: [BIN, "run", "hello-world"], env: viaDaemon },
      ],
      cwd,
    );
    const daemonRatio = daemonRunMs! / nodeMs!;
    const localRatio = localRunMs! / nodeMs!;
    console.log(`serve: node -e 0 ${nodeMs!.toFixed(0)} ms | firebreak run hello-world via daemon ${daemonRunMs!.toFixed(0)} ms (${daemonRatio.toFixed(2)}x node; target <= 2.0: ${verdict(daemonRatio <= 2)}) | in-process ${localRunMs!.toFixed(0)} ms (${localRatio.toFixed(2)}x node; target <= 4: ${verdict(localRatio <= 4)})`);
    const [checkDaemonMs, checkLocalMs, checkClientMs] = sideBySide(
      [
        { file: COMMAND, args: ["policy", "check", "--", LINE], env: viaDaemon },
        { file: COMMAND, args: ["policy", "check", "--", LINE], env: inProcess },
        { args: [BIN, "policy", "check", "--", LINE], env: viaDaemon },
      ],
      cwd,
    );
    const checkRatio = checkDaemonMs! / checkLocalMs!;
    console.log(`serve: firebreak policy check via daemon ${checkDaemonMs!.toFixed(1)} ms vs in-process ${checkLocalMs!.toFixed(0)} ms: ${checkRatio.toFixed(2)}x (target <= 0.5: ${verdict(checkRatio <= 0.5)})`);
    console.log(
      `serve: without the launcher (node bin/firebreak.js, the Node client) via daemon: run hello-world ${clientRunMs!.toFixed(0)} ms (${(clientRunMs! / nodeMs!).toFixed(2)}x node), policy check ${checkClientMs!.toFixed(0)} ms (${(checkClientMs! / checkLocalMs!).toFixed(2)}x in-process)`,
    );
    const { firstRps, steadyRps } = await throughput(socket, cwd);
    console.log(
      `serve: POST /v1/policy/check, one line, ${THROUGHPUT_CONCURRENCY} keep-alive connections: ${Math.round(steadyRps)} requests/s after ${THROUGHPUT_WARMUP_MS / 1000} s of the same load (target >= 2000: ${verdict(steadyRps >= 2000)}); ${Math.round(firstRps)} requests/s in the first ${THROUGHPUT_WINDOW_MS / 1000} s after start-up`,
    );
  } finally {
    daemon.kill("SIGTERM");
    await new Promise((r) => daemon.once("exit", r));
    fs.rmSync(home, { recursive: true, force: true });
  }
}
