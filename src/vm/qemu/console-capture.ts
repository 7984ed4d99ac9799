import { type WriteStream, createWriteStream } from "node:fs";
import type { Readable } from "node:stream";

/** Lines init.sh prints on the console; the host times boot phases by their arrival. */
export const CONSOLE_MARKERS = {
  init: "FIREBREAK-INIT",
  agentStart: "FIREBREAK-AGENT-START",
  agentExit: "FIREBREAK-AGENT-EXIT",
  error: "FIREBREAK-ERROR",
} as const;

/** The kernel's first console line when not booted `quiet`. */
const KERNEL_BANNER = "Linux version ";

export interface ConsoleObservations {
  /** ms since spawn when the first console byte arrived (the kernel is running). */
  firstOutput?: number;
  kernelBanner?: number;
  init?: number;
  /** Guest uptime (s) that init reported: how long the kernel took before init. */
  initUptimeS?: number;
  agentStart?: number;
  /** First FIREBREAK-ERROR line, verbatim. */
  guestError?: string;
}

const TAIL_BYTES = 8 * 1024;

/**
 * Copies a VM's serial console (QEMU's stdout) to a log file and timestamps the
 * markers as they arrive. `tail()` returns the last few KiB for error messages.
 */
export class ConsoleCapture {
  readonly seen: ConsoleObservations = {};
  private readonly log: WriteStream;
  private pending = "";
  private recent = "";
  private readonly waiters: Array<{ marker: keyof ConsoleObservations; resolve: () => void }> = [];

  constructor(
    source: Readable,
    logPath: string,
    private readonly t0: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.log = createWriteStream(logPath, { flags: "a" });
    this.log.on("error", () => {}); // a vanished log dir (destroy) must not crash the host
    source.on("data", (chunk: Buffer) => this.onData(chunk));
  }

  /** Resolves when `marker` has been seen (immediately if already). */
  when(marker: keyof ConsoleObservations): Promise<void> {
    if (this.seen[marker] !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ marker, resolve }));
  }

  tail(): string {
    return this.recent;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.log.end(resolve));
  }

  private onData(chunk: Buffer): void {
    const at = this.now() - this.t0;
    this.log.write(chunk);
    const text = chunk.toString("utf8");
    this.recent = (this.recent + text).slice(-TAIL_BYTES);
    this.mark("firstOutput", at);
    const lines = (this.pending + text).split("\n");
    this.pending = lines.pop() ?? "";
    for (const line of lines) this.onLine(line.replace(/\r$/, ""), at);
  }

  private onLine(line: string, at: number): void {
    if (line.includes(KERNEL_BANNER)) this.mark("kernelBanner", at);
    if (line.startsWith(CONSOLE_MARKERS.agentStart)) this.mark("agentStart", at);
    else if (line.startsWith(CONSOLE_MARKERS.init)) {
      const uptime = /uptime=(\d+(?:\.\d+)?)/.exec(line)?.[1];
      if (uptime) this.seen.initUptimeS ??= Number(uptime);
      this.mark("init", at);
    } else if (line.startsWith(CONSOLE_MARKERS.error) && this.seen.guestError === undefined) {
      this.seen.guestError = line;
      this.mark("guestError", at);
    }
  }

  private mark(marker: keyof ConsoleObservations, at: number): void {
    if (marker === "guestError") {
      this.resolveWaiters(marker);
      return;
    }
    if (this.seen[marker] !== undefined) return;
    (this.seen as Record<string, number>)[marker] = Math.round(at);
    this.resolveWaiters(marker);
  }

  private resolveWaiters(marker: keyof ConsoleObservations): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i];
      if (w && w.marker === marker) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}
