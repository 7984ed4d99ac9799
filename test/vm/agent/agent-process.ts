import { afterAll, beforeAll } from "vitest";
/** Test helper: the real agent binary as a host process, on a Unix socket or an inherited socket pair. */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { removeAfterFile } from "../../helpers/tmp.js";
import { AgentClient, type AgentClientOptions, ensureAgentBuilt } from "../../../src/vm/agent/index.js";

const READY_POLL_MS = 5;
const READY_LIMIT_MS = 10_000;
/** On a host the agent must never set the clock or power the machine off. */
const HOST_SAFE_ARGS = ["--no-settime", "--no-power-off"];

export interface RunningAgent {
  proc: ChildProcess;
  dir: string;
  socketPath: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Raw socket to the agent. */
  rawConnect(): Promise<Socket>;
  connect(options?: AgentClientOptions): Promise<AgentClient>;
  stop(): Promise<void>;
}

function exitedOf(proc: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve({ code: proc.exitCode, signal: proc.signalCode });
    else proc.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

export async function startUnixAgent(extraArgs: string[] = []): Promise<RunningAgent> {
  const binary = await ensureAgentBuilt();
  // Removed by stop(), or after the file when a test fails before it stops the agent.
  const dir = removeAfterFile(mkdtempSync(join(tmpdir(), "fb-agent-")));
  const socketPath = join(dir, "agent.sock");
  const proc = spawn(binary, ["--listen-unix", socketPath, ...HOST_SAFE_ARGS, ...extraArgs], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = exitedOf(proc);
  const deadline = Date.now() + READY_LIMIT_MS;
  while (!existsSync(socketPath)) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`agent did not start: ${stderr}`);
    await sleep(READY_POLL_MS);
  }
  const connectOnce = () =>
    new Promise<Socket>((resolve, reject) => {
      const s = connect(socketPath);
      s.once("connect", () => resolve(s));
      s.once("error", reject);
    });
  // The socket file appears at bind(), a moment before listen(): a connect in between is refused.
  const rawConnect = async (): Promise<Socket> => {
    for (;;) {
      try {
        return await connectOnce();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ECONNREFUSED" || proc.exitCode !== null || Date.now() > deadline) throw error;
        await sleep(READY_POLL_MS);
      }
    }
  };
  return {
    proc,
    dir,
    socketPath,
    exited,
    rawConnect,
    connect: async (options) => new AgentClient(await rawConnect(), options),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The agent on descriptor 3 of a socket pair (libuv's stdio pipes are Unix socket pairs). */
export async function startFdAgent(extraArgs: string[] = []): Promise<{
  proc: ChildProcess;
  stream: Duplex;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}> {
  const binary = await ensureAgentBuilt();
  const proc = spawn(binary, ["--fd", "3", ...HOST_SAFE_ARGS, ...extraArgs], {
    stdio: ["ignore", "ignore", "inherit", "pipe"],
  });
  const stream = proc.stdio[3] as Duplex;
  return { proc, stream, exited: exitedOf(proc) };
}

/** Polls until fn() is true (for effects in other processes); fails after limitMs. */
export async function waitUntil(fn: () => boolean, what: string, limitMs = 5_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(READY_POLL_MS);
  }
}

export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * One real agent and a connected client for a whole test file, stopped after it.
 * Read `shared.agent` / `shared.client` inside tests (they are set in beforeAll).
 */
export function useSharedAgent(): { agent: RunningAgent; client: AgentClient } {
  const shared = {} as { agent: RunningAgent; client: AgentClient };
  beforeAll(async () => {
    shared.agent = await startUnixAgent();
    shared.client = await shared.agent.connect();
  });
  afterAll(async () => {
    shared.client?.close();
    await shared.agent?.stop();
  });
  return shared;
}
