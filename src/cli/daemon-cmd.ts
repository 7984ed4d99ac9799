import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { DaemonClient } from "../client/daemon-client.js";
import { DaemonError, EXIT } from "../errors.js";
import { daemonPaths, packageRoot } from "../paths.js";
import type { CliDeps } from "./deps.js";

/** How long `daemon start` waits for the socket to answer, and `daemon stop` for the process to end. */
export const DAEMON_START_TIMEOUT_MS = 15_000;
export const DAEMON_STOP_TIMEOUT_MS = 15_000;
/** `daemon status` when no daemon answers (the LSB init-script status for "not running"). */
export const EXIT_NOT_RUNNING = 3;

interface Health {
  status: string;
  version: string;
  uptime_s: number;
  pid: number;
  in_flight: number;
}

async function health(socket: string): Promise<Health | undefined> {
  if (!fs.existsSync(socket)) return undefined;
  const client = new DaemonClient(socket);
  try {
    const { body } = await client.json<Health>("GET", "/healthz");
    return body.status === "ok" ? body : undefined;
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `firebreak daemon start|stop|status`: `firebreak serve` in the background, with a pid file and a log. */
export function daemonCommand(deps: CliDeps): Command {
  const cmd = new Command("daemon").description("start, stop or ask about the background daemon (firebreak serve)");
  const o = deps.output;
  const socketOf = (socket?: string) => socket ?? daemonPaths(deps.env).socket;

  cmd
    .command("start")
    .description("start firebreak serve detached (pid file and log under the state dir)")
    .option("--socket <path>", "Unix socket to listen on")
    .action(async (opts: { socket?: string }) => {
      const paths = daemonPaths(deps.env);
      const socket = socketOf(opts.socket);
      const running = await health(socket);
      if (running) return o.out(`already running (pid ${running.pid}) on ${socket}`);
      fs.mkdirSync(path.dirname(paths.logFile), { recursive: true });
      const log = fs.openSync(paths.logFile, "a");
      const child = spawn(process.execPath, [path.join(packageRoot(), "bin/firebreak.js"), "serve", "--socket", socket, "--pid-file", paths.pidFile], {
        cwd: deps.cwd,
        env: deps.env,
        detached: true,
        stdio: ["ignore", log, log],
      });
      child.unref();
      fs.closeSync(log);
      const deadline = Date.now() + DAEMON_START_TIMEOUT_MS;
      while (Date.now() < deadline) {
        const h = await health(socket);
        if (h) return o.out(`started (pid ${h.pid}) on ${socket}; log: ${paths.logFile}`);
        if (child.exitCode !== null) break;
        await sleep(50);
      }
      throw new DaemonError(`the daemon did not come up on ${socket}; see ${paths.logFile}`);
    });

  cmd
    .command("stop")
    .description("stop the daemon: in-flight runs finish within its grace period or are cancelled and audited")
    .action(async () => {
      const paths = daemonPaths(deps.env);
      const pid = readPid(paths.pidFile) ?? (await health(socketOf()))?.pid;
      if (!pid || !alive(pid)) return o.out("not running");
      process.kill(pid, "SIGTERM");
      const deadline = Date.now() + DAEMON_STOP_TIMEOUT_MS;
      while (alive(pid)) {
        if (Date.now() > deadline) throw new DaemonError(`the daemon (pid ${pid}) did not stop within ${DAEMON_STOP_TIMEOUT_MS} ms`);
        await sleep(50);
      }
      o.out(`stopped (pid ${pid})`);
    });

  cmd
    .command("status")
    .description(`whether a daemon answers on the socket (exit ${EXIT_NOT_RUNNING} when not)`)
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { json?: boolean }) => {
      const socket = socketOf();
      const h = await health(socket);
      if (opts.json) o.json({ running: Boolean(h), socket, ...(h ?? {}) });
      else if (h) o.out(`running (pid ${h.pid}) on ${socket}: version ${h.version}, up ${h.uptime_s} s, ${h.in_flight} run(s) in flight`);
      else o.out(`not running (no daemon answers on ${socket})`);
      deps.setExitStatus(h ? EXIT.OK : EXIT_NOT_RUNNING);
    });
  return cmd;
}
