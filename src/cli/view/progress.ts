/**
 * Progress for long silent work (a first kernel build, a VM shape's first template): on a terminal one line
 * redrawn in place with the stage and the elapsed time; otherwise plain lines, and a heartbeat only when the
 * silence lasts. Shared by the in-process CLI and the daemon client (both feed it the same events).
 */
import { monotonicMs } from "../../clock.js";

/** "4.2 s", "3m05s": elapsed time as people read it. */
export function elapsedText(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** One progress line: `<prefix>: <stage> · <elapsed>`. */
export function progressLine(prefix: string, stage: string, elapsedMs: number): string {
  return `${prefix}: ${stage} · ${elapsedText(elapsedMs)}`;
}

export interface ProgressOptions {
  /** Redraw one line in place (stderr is a terminal) or write plain lines. */
  tty: boolean;
  /** `firebreak`, `firebreak image`, … */
  prefix: string;
  write: (text: string) => void;
  /** Without a terminal: a plain "still …" line after this much silence, and again after as much more. */
  heartbeatMs: number;
  /** How often the terminal line is redrawn. */
  redrawMs?: number;
  now?: () => number;
}

/**
 * @example
 * const p = new Progress({ tty: true, prefix: "firebreak", write: (t) => process.stderr.write(t), heartbeatMs: 2000 });
 * p.stage("starting the microVM");  // … later
 * p.above(() => output.err("a message"));
 * p.stop();
 */
export class Progress {
  private started = 0;
  private current?: string;
  private timer?: NodeJS.Timeout;
  private drawn = false;
  private readonly now: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? monotonicMs;
  }

  /** Enters a stage (the elapsed time counts from the first stage). */
  stage(text: string): void {
    if (this.current === undefined) this.started = this.now();
    this.current = text;
    if (this.options.tty) this.draw();
    this.schedule();
  }

  /** Prints something above the progress line (a build step's own message) and redraws the line under it. */
  above(print: () => void): void {
    this.clear();
    print();
    if (this.options.tty && this.current !== undefined) this.draw();
  }

  /** Ends the progress: the terminal line is erased; nothing more is written. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
    this.current = undefined;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const every = this.options.tty ? (this.options.redrawMs ?? 250) : this.options.heartbeatMs;
    this.timer = setTimeout(() => {
      if (this.current === undefined) return;
      if (this.options.tty) this.draw();
      else this.options.write(`${progressLine(this.options.prefix, `still ${this.current}`, this.now() - this.started)}\n`);
      this.schedule();
    }, every);
    this.timer.unref?.();
  }

  private draw(): void {
    this.options.write(`\r\x1b[2K${progressLine(this.options.prefix, this.current ?? "", this.now() - this.started)}`);
    this.drawn = true;
  }

  private clear(): void {
    if (!this.drawn) return;
    this.options.write("\r\x1b[2K");
    this.drawn = false;
  }
}

/** Without a terminal, an image build silent this long gets a plain "still …" line (a kernel build takes minutes). */
export const IMAGE_HEARTBEAT_MS = 30_000;

/**
 * The stage a guest-image build line announces, for the progress line: the message without its
 * `firebreak image:` / `firebreak kernel:` prefix, control characters made harmless, at most 100 characters.
 *
 * @example buildStage("firebreak kernel: building bzImage + vmlinux with make -j2 (first build takes minutes)")
 * // "building bzImage + vmlinux with make -j2 (first build takes minutes)"
 */
export function buildStage(line: string): string {
  const plain = line.replace(/^firebreak (image|kernel): /, "").replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");
  return plain.length > 100 ? `${plain.slice(0, 99)}…` : plain;
}
