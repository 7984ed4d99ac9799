import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { DaemonClient } from "../../src/client/daemon-client.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";

export interface DaemonProcess {
  child: ChildProcess;
  socket: string;
  log: () => string;
  /** GET a path on the daemon (JSON or text). */
  get(pathname: string): Promise<{ status: number; text: string }>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | null>;
}

/** Starts `firebreak serve` as a real child process on a fresh socket and waits until it answers. */
export async function startDaemon(env: NodeJS.ProcessEnv, cwd: string, extraArgs: string[] = []): Promise<DaemonProcess> {
  const socket = path.join(tempDir("fb-sock-"), "d.sock");
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/firebreak.js"), "serve", "--socket", socket, ...extraArgs], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.on("data", (c) => (log += c));
  child.stderr!.on("data", (c) => (log += c));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const get = async (pathname: string) => {
    const client = new DaemonClient(socket);
    try {
      const res = await client.request("GET", pathname);
      return { status: res.status, text: await res.text() };
    } finally {
      client.close();
    }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await get("/healthz")).status === 200) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`firebreak serve did not come up: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    socket,
    log: () => log,
    get,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
