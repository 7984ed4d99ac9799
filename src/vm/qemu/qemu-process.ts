import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, rmdirSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { VmError } from "../../errors.js";
import { onFirebreakExit } from "../../exec/reaper.js";
import { currentOwner, OWNER_RECORD_FILE, processStartTime, writeOwnerRecord } from "../owner-record.js";
import { guardVmm, type VmmGuard, vmmCommand } from "../vmm-guard.js";
import { ConsoleCapture } from "./console-capture.js";
import { QmpClient } from "./qmp-client.js";
import { type QemuLaunch, buildQemuArgs } from "./qemu-args.js";

/** sun_path is 108 bytes including the terminating NUL. */
export const MAX_UNIX_SOCKET_PATH_BYTES = 107;
/** Shared-memory directory for guest RAM files (snapshot templates must live on tmpfs to restore fast). */
export const RAM_DIR = "/dev/shm";
const SOCKET_POLL_MS = 1;
const STDERR_TAIL_BYTES = 4096;

/** QEMU children still running are killed, and their files removed, if this Node process ends first. */
function track(child: ChildProcess, files: () => string[], runDir: string): void {
  const unregister = onFirebreakExit(() => {
    child.kill("SIGKILL");
    for (const f of files()) rmSync(f, { force: true });
    try {
      rmdirSync(runDir); // only when empty: a run dir may hold someone else's files
    } catch {
      // not empty or already gone
    }
  });
  child.once("exit", unregister);
}

export interface QemuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnQemuOptions {
  runDir: string;
  /** Whether the backend created runDir (then the whole dir is the VM's, removed if firebreak dies). */
  ownsRunDir?: boolean;
  /** Everything but the per-VM paths, which are derived from runDir (RAM file: given for restores). */
  launch: Omit<QemuLaunch, "qmpSocket" | "agentSocket" | "ramFile"> & { ramFile?: string };
  /** Start QEMU at this nice value (vmm-priority.ts). */
  niceness?: number;
}

/** One running QEMU process with its console capture and per-VM paths. */
export interface QemuProcess {
  readonly id: string;
  readonly pid: number;
  /** performance.now() at spawn: phase timings are relative to it. */
  readonly t0: number;
  readonly qmpSocket: string;
  readonly agentSocket: string;
  readonly consoleLog: string;
  readonly ramFile: string;
  /** True when this process created ramFile (it deletes it on kill). */
  readonly ownsRamFile: boolean;
  readonly console: ConsoleCapture;
  readonly exited: Promise<QemuExit>;
  /** Whether the process has exited. */
  hasExited(): boolean;
  stderrTail(): string;
  /** Waits for the QMP socket and negotiates capabilities. */
  connectQmp(timeoutMs: number): Promise<QmpClient>;
  /** SIGKILLs QEMU (if alive), waits for the exit, removes the files it created. Idempotent. */
  kill(): Promise<void>;
}

/**
 * Spawns `qemu-system-x86_64` with the console on a pipe (captured to `console.log` in
 * runDir) and sockets in runDir.
 *
 * @example
 * const qemu = await spawnQemu({ runDir: "/tmp/fb-1", launch });
 * const qmp = await qemu.connectQmp(5000);
 */
export async function spawnQemu(opts: SpawnQemuOptions): Promise<QemuProcess> {
  const id = randomBytes(6).toString("hex");
  const qmpSocket = path.join(opts.runDir, "qmp.sock");
  const agentSocket = path.join(opts.runDir, "agent.sock");
  const consoleLog = path.join(opts.runDir, "console.log");
  for (const socket of [qmpSocket, agentSocket]) {
    if (Buffer.byteLength(socket) > MAX_UNIX_SOCKET_PATH_BYTES) {
      throw new VmError(`socket path too long for a Unix socket (${Buffer.byteLength(socket)} > ${MAX_UNIX_SOCKET_PATH_BYTES} bytes): ${socket}; use a shorter runDir`);
    }
  }
  const ownsRamFile = opts.launch.ramFile === undefined;
  const ramFile = opts.launch.ramFile ?? path.join(RAM_DIR, `firebreak-${id}.ram`);
  const launch: QemuLaunch = { ...opts.launch, qmpSocket, agentSocket, ramFile };
  const args = buildQemuArgs(launch);
  const ownerRecord = path.join(opts.runDir, OWNER_RECORD_FILE);
  const ownFiles = [qmpSocket, agentSocket, consoleLog, ownerRecord, ...(ownsRamFile ? [ramFile] : [])];
  const owner = {
    ...currentOwner(),
    backend: "qemu" as const,
    runDir: opts.runDir,
    trees: opts.ownsRunDir ? [opts.runDir] : [],
    files: ownFiles,
    ...(ownsRamFile ? { ramFile } : {}),
    createdAt: new Date().toISOString(),
  };
  // Recorded before the spawn, so no VM exists without a record that names its owner.
  writeOwnerRecord(owner);

  const t0 = performance.now();
  const [file, argv] = vmmCommand(launch.binary, args, { niceness: opts.niceness });
  const child = spawn(file, argv, { stdio: ["ignore", "pipe", "pipe"] });
  track(child, () => ownFiles, opts.runDir);
  let guard: VmmGuard | undefined;
  if (child.pid !== undefined) {
    writeOwnerRecord({ ...owner, vmmPid: child.pid, vmmStart: processStartTime(child.pid) });
    guard = guardVmm(child.pid, { trees: owner.trees, files: ownFiles });
  }
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (s: string) => {
    stderr = (stderr + s).slice(-STDERR_TAIL_BYTES);
  });
  let exitedFlag = false;
  const exited = new Promise<QemuExit>((resolve) => {
    child.once("exit", (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    });
  });
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once("spawn", () => resolve(undefined));
    child.once("error", (err) => resolve(err));
  });
  if (spawnError || child.pid === undefined) {
    guard?.dismiss();
    rmSync(ownerRecord, { force: true });
    throw new VmError(`cannot start ${launch.binary}: ${spawnError?.message ?? "no pid"} (apt-get install qemu-system-x86)`, { cause: spawnError });
  }
  if (!child.stdout) throw new VmError("QEMU was spawned without a stdout pipe");
  const consoleCapture = new ConsoleCapture(child.stdout, consoleLog, t0);

  let killed: Promise<void> | undefined;
  const proc: QemuProcess = {
    id,
    pid: child.pid,
    t0,
    qmpSocket,
    agentSocket,
    consoleLog,
    ramFile,
    ownsRamFile,
    console: consoleCapture,
    exited,
    hasExited: () => exitedFlag,
    stderrTail: () => stderr,
    connectQmp: (timeoutMs) => connectWhenListening(proc, timeoutMs),
    kill: () => {
      killed ??= killAndClean(child, proc, () => exitedFlag).finally(() => guard?.dismiss());
      return killed;
    },
  };
  return proc;
}

async function connectWhenListening(proc: QemuProcess, timeoutMs: number): Promise<QmpClient> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (proc.hasExited()) throw new VmError(`QEMU exited before its QMP socket was ready: ${proc.stderrTail().trim() || "(no output)"}`);
    if (existsSync(proc.qmpSocket)) {
      try {
        return await QmpClient.connect(proc.qmpSocket, Math.max(1, deadline - performance.now()));
      } catch (err) {
        if (proc.hasExited() || performance.now() > deadline) throw err;
      }
    }
    if (performance.now() > deadline) throw new VmError(`QMP socket ${proc.qmpSocket} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, SOCKET_POLL_MS));
  }
}

async function killAndClean(child: ChildProcess, proc: QemuProcess, hasExited: () => boolean): Promise<void> {
  if (!hasExited()) child.kill("SIGKILL");
  await proc.exited;
  await proc.console.close();
  const files = [proc.qmpSocket, proc.agentSocket, proc.consoleLog, path.join(path.dirname(proc.qmpSocket), OWNER_RECORD_FILE)];
  if (proc.ownsRamFile) files.push(proc.ramFile);
  await Promise.all(files.map((f) => rm(f, { force: true })));
}
