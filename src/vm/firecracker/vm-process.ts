import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { VmError } from "../../errors.js";
import type { FirecrackerApiClient } from "./api-client.js";
import { vmmCommand, type VmmGuard } from "../vmm-guard.js";
import type { LaunchPlan } from "./launch-plan.js";

export const DEFAULT_API_READY_TIMEOUT_MS = 5_000;
const API_POLL_INTERVAL_MS = 5;
const CONSOLE_TAIL_CHARS = 2_000;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One spawned Firecracker (or jailer) process. Its stdout is the guest's serial console: both stdout and stderr are
 * appended to the console log, and each line is offered to `onConsoleLine` (for phase timestamps).
 */
export class VmProcess {
  readonly exited: Promise<ProcessExit>;
  private exitInfo: ProcessExit | undefined;
  private tail = "";
  private partialLine = "";
  private readonly lineListeners: ((line: string) => void)[] = [];
  private readonly logStream: fs.WriteStream;
  /** Cleans up if firebreak dies first; dismissed once the process is reaped here. */
  guard: VmmGuard | undefined;

  private constructor(
    readonly child: ChildProcess,
    readonly consoleLogPath: string,
    logStream: fs.WriteStream,
  ) {
    this.logStream = logStream;
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': the console log must hold everything the process wrote.
      child.once("close", (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on("data", (chunk: Buffer) => this.onOutput(chunk));
    }
  }

  /**
   * Spawns the launch plan's process. Fails with VmError when the binary cannot be started at all.
   *
   * @example
   *   const proc = await VmProcess.spawn(plan, "/run/vm1/console.log");
   */
  static async spawn(plan: LaunchPlan, consoleLogPath: string): Promise<VmProcess> {
    const logStream = fs.createWriteStream(consoleLogPath, { flags: "a" });
    // Under a parent-death signal: the VMM dies with the firebreak process that started it (see vmm-guard.ts).
    const [file, args] = vmmCommand(plan.file, plan.args);
    const child = spawn(file, args, { cwd: plan.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once("spawn", () => resolve());
      child.once("error", (err) => reject(err));
    });
    try {
      await spawned;
    } catch (err) {
      logStream.end();
      throw new VmError(`cannot start ${plan.file}: ${(err as Error).message}`, { cause: err });
    }
    // Later errors (e.g. a failed kill) must not become unhandled 'error' events.
    child.on("error", () => {});
    return new VmProcess(child, consoleLogPath, logStream);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** The last ~2000 characters of console output, for error messages. */
  consoleTail(): string {
    return this.tail;
  }

  onConsoleLine(listener: (line: string) => void): void {
    this.lineListeners.push(listener);
  }

  /**
   * Polls the API socket (GET /) until Firecracker answers, the process exits or the deadline passes.
   */
  async waitForApi(api: FirecrackerApiClient, timeoutMs = DEFAULT_API_READY_TIMEOUT_MS): Promise<void> {
    const giveUpAt = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < giveUpAt) {
      if (this.exitInfo) throw this.diedError("before its API socket answered");
      if (fs.existsSync(api.socketPath)) {
        try {
          await api.describeInstance();
          return;
        } catch (err) {
          lastError = err;
        }
      }
      await sleep(API_POLL_INTERVAL_MS);
    }
    throw new VmError(`firecracker API socket ${api.socketPath} did not answer within ${timeoutMs} ms${this.tailSuffix()}`, {
      cause: lastError,
    });
  }

  /** An error describing that the process died, with its exit status and console tail. */
  diedError(when: string): VmError {
    const exit = this.exitInfo;
    const status = exit ? (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`) : "unknown status";
    return new VmError(`firecracker exited (${status}) ${when}${this.tailSuffix()}`);
  }

  /** SIGKILL (if still running), wait for the exit, and close the console log. Safe to call repeatedly. */
  async kill(): Promise<ProcessExit> {
    if (!this.exitInfo) this.child.kill("SIGKILL");
    const exit = await this.exited;
    this.guard?.dismiss();
    await new Promise<void>((resolve) => {
      if (this.logStream.closed) return resolve();
      this.logStream.end(() => resolve());
    });
    return exit;
  }

  private onOutput(chunk: Buffer): void {
    this.logStream.write(chunk);
    const text = chunk.toString("utf8");
    this.tail = (this.tail + text).slice(-CONSOLE_TAIL_CHARS);
    const lines = (this.partialLine + text).split("\n");
    this.partialLine = lines.pop() ?? "";
    for (const line of lines) for (const listener of this.lineListeners) listener(line.replace(/\r$/, ""));
  }

  private tailSuffix(): string {
    const tail = this.tail.trim();
    return tail ? `; console tail:\n${tail}` : "";
  }
}
