/**
 * The UI's state and flow without React: a submitted line becomes one output block (plan, then live output,
 * then a footer) or a slash command's answer; a run that needs it waits for y/n; Ctrl-C cancels. The Ink
 * component (tui/app.tsx) renders `state()` and calls these methods; tests drive it directly too.
 */
import { StringDecoder } from "node:string_decoder";
import { FirebreakError } from "../errors.js";
import type { PlanView } from "../engine/types.js";
import type { Output } from "../cli/output.js";
import { errorText } from "../cli/view/error-text.js";
import type { RunInput, TuiBackend, UiRunEvent } from "./backend.js";
import { confirmQuestion, needsConfirmation, planLines, refusalText, resultFooter, shown, viewOutput } from "./block-text.js";
import { CommandIndex, type CompletionSource } from "./complete.js";
import { History, redactSecretArguments } from "./history.js";
import { parsePromptLine } from "./line.js";
import type { PoolView } from "./pool.js";
import { runSlash } from "./slash.js";

export type BlockStatus = "running" | "asking" | "ok" | "failed" | "refused" | "cancelled" | "info";

/** One command's block: its prompt line, the plan, live output, and how it ended. */
export interface Block {
  id: number;
  title: string;
  head: string;
  output: string;
  foot: string;
  status: BlockStatus;
}

export interface SessionState {
  done: readonly Block[];
  live?: Block;
  question?: string;
  role: string;
  lastDecision?: string;
  pool?: PoolView;
  panel?: "pool";
  hint?: string;
  quit: boolean;
}

/** A block keeps at most this much output (the rest is counted, not kept: the audit log has the sizes). */
export const MAX_BLOCK_OUTPUT_CHARS = 200_000;
/** Two Ctrl-C on an empty prompt within this quit. */
export const QUIT_WINDOW_MS = 2000;

export class Session {
  private readonly o: Output;
  private s: SessionState;
  private nextId = 1;
  private running?: AbortController;
  private answer?: (yes: boolean) => void;
  private lastInterrupt = 0;
  private listeners = new Set<() => void>();
  readonly history: History;
  index = new CommandIndex([]);

  constructor(
    readonly backend: TuiBackend,
    options: { color: boolean; now?: () => number },
  ) {
    this.o = viewOutput(options.color);
    this.now = options.now ?? Date.now;
    this.s = { done: [], role: backend.defaultRole, quit: false };
    this.history = new History(backend.stateDir);
  }

  private readonly now: () => number;

  state(): SessionState {
    return this.s;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get busy(): boolean {
    return this.s.live !== undefined;
  }

  get output(): Output {
    return this.o;
  }

  /** What completion reads (rebuilt when the definitions change). */
  completionSource(): CompletionSource {
    return { index: this.index, roles: this.backend.roles(), terms: (p, n) => this.backend.terms(p, n) };
  }

  /** Loads the definitions for completion; a failure shows as a block and leaves completion empty. */
  async loadCommands(): Promise<void> {
    try {
      this.index = new CommandIndex(await this.backend.commands());
      this.set({});
    } catch (error) {
      this.finish(this.block("(start)", { head: this.errorLine(error), status: "failed" }));
    }
    void this.backend.loadTerms(this.s.role).catch(() => {});
  }

  /** Makes sure a command's parameters are known (the daemon sends them per command). */
  async ensureParameters(name: string): Promise<void> {
    const info = this.index.get(name);
    if (!info || info.parameters) return;
    const described = await this.backend.describe(name).catch(() => undefined);
    if (described) this.index = new CommandIndex(this.index.commands.map((c) => (c === info ? described : c)));
    this.set({});
  }

  setPool(pool: PoolView | undefined): void {
    if (JSON.stringify(pool) !== JSON.stringify(this.s.pool)) this.set({ pool });
  }

  /** Runs one prompt line; resolves when its block is finished. */
  async submit(text: string): Promise<void> {
    const line = parsePromptLine(text);
    if (line.kind === "empty" || this.busy) return;
    if (line.kind === "command") await this.ensureParameters(line.name);
    this.history.add(redactSecretArguments(text.trim(), this.index));
    this.set({ panel: undefined, hint: undefined });
    if (line.kind === "slash") return runSlash(this, line);
    if (line.kind === "shell" && !line.line) return this.finish(this.block(text, { head: "give a shell line after !, e.g. !git status", status: "failed" }));
    return this.run(text, line.kind === "shell" ? { kind: "shell", line: line.line } : { kind: "command", name: line.name, args: line.args });
  }

  /** Answers the y/n question of a waiting run. */
  reply(yes: boolean): void {
    const answer = this.answer;
    this.answer = undefined;
    answer?.(yes);
  }

  /**
   * Ctrl-C: answers "no" to a question, cancels a running command, or (on an empty prompt, twice within
   * QUIT_WINDOW_MS) quits. Returns what happened.
   */
  interrupt(promptEmpty: boolean): "declined" | "cancelled" | "quit" | "armed" | "cleared" {
    if (this.answer) {
      this.reply(false);
      return "declined";
    }
    if (this.running) {
      this.running.abort();
      return "cancelled";
    }
    if (!promptEmpty) return "cleared";
    const now = this.now();
    if (now - this.lastInterrupt <= QUIT_WINDOW_MS) {
      this.quit();
      return "quit";
    }
    this.lastInterrupt = now;
    this.set({ hint: "press Ctrl-C again (or Ctrl-D) to quit" });
    return "armed";
  }

  quit(): void {
    this.reply(false);
    this.running?.abort();
    this.set({ quit: true });
  }

  setRole(role: string): void {
    this.set({ role });
    void this.backend.loadTerms(role).catch(() => {});
  }

  openPanel(panel: "pool" | undefined): void {
    this.set({ panel });
  }

  /** A finished block with a slash command's answer. */
  info(title: string, text: string, status: BlockStatus = "info"): void {
    this.finish(this.block(title, { head: shown(text, this.o), status }));
  }

  errorLine(error: unknown): string {
    if (error instanceof FirebreakError) {
      const extra = error as FirebreakError & { reasons?: string[]; usage?: string };
      return shown(errorText(this.o, { code: error.code, message: error.message, reasons: extra.reasons, usage: extra.usage }), this.o);
    }
    return shown(`firebreak: ${(error as Error)?.message ?? String(error)}`, this.o);
  }

  private async run(title: string, input: RunInput): Promise<void> {
    const block = this.block(title, { status: "running" });
    this.set({ live: block });
    let plan: PlanView;
    let prepared: Awaited<ReturnType<TuiBackend["prepare"]>>;
    try {
      prepared = await this.backend.prepare(input, this.s.role);
      plan = prepared.plan;
    } catch (error) {
      return this.finish({ ...block, head: this.errorLine(error), status: "failed" });
    }
    const via = this.backend.mode === "daemon" ? "daemon" : undefined;
    const d = plan.decision;
    let live: Block = { ...block, head: planLines(this.o, plan, via) };
    this.set({ live, lastDecision: `${plan.command ?? "sh"} → ${d.placement} ${d.risk}` });
    let confirmed = false;
    if (needsConfirmation(plan)) {
      live = { ...live, status: "asking" };
      const question = confirmQuestion(plan);
      this.set({ live, question });
      confirmed = await new Promise<boolean>((resolve) => {
        this.answer = resolve;
      });
      this.set({ question: undefined });
      live = { ...live, head: `${live.head}\n${question} ${confirmed ? "y" : "n"}`, status: "running" };
      // A declined `ask` rule goes to the engine, which audits the refusal; a declined risk runs nothing.
      if (!confirmed && !d.needsConfirmation) return this.finish({ ...live, foot: "not run (declined)", status: "refused" });
    }
    const controller = new AbortController();
    this.running = controller;
    const decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
    let dropped = 0;
    const append = (text: string) => {
      const room = MAX_BLOCK_OUTPUT_CHARS - live.output.length;
      if (room < text.length) dropped += text.length - Math.max(room, 0);
      if (room > 0) live = { ...live, output: live.output + shown(text.slice(0, room), this.o) };
    };
    const onEvent = (event: UiRunEvent) => {
      switch (event.type) {
        case "output":
          append(decoders[event.stream].write(event.chunk));
          break;
        case "log":
          append(`${event.message}\n`);
          break;
        case "refused":
          live = { ...live, foot: refusalText(this.o, event), status: "refused" };
          break;
        case "result": {
          const r = event.result;
          const dropNote = dropped ? `\n(${dropped} more characters of output not kept here)` : "";
          live = { ...live, foot: resultFooter(this.o, r, plan.command ?? "shell line") + dropNote, status: r.cancelled ? "cancelled" : r.exitCode === 0 ? "ok" : "failed" };
          break;
        }
        case "error":
          live = { ...live, foot: shown(`firebreak: ${event.message}`, this.o), status: "failed" };
          break;
        default:
          return;
      }
      this.set({ live });
    };
    try {
      await prepared.run({ confirmed, signal: controller.signal, emit: onEvent });
    } catch (error) {
      live = controller.signal.aborted ? { ...live, foot: "cancelled", status: "cancelled" } : { ...live, foot: this.errorLine(error), status: "failed" };
    } finally {
      this.running = undefined;
    }
    if (live.status === "running") live = { ...live, status: controller.signal.aborted ? "cancelled" : "ok" };
    this.finish(live);
  }

  private block(title: string, parts: Partial<Block>): Block {
    return { id: this.nextId++, title, head: "", output: "", foot: "", status: "info", ...parts };
  }

  private finish(block: Block): void {
    this.set({ done: [...this.s.done, block], live: undefined, question: undefined });
  }

  private set(patch: Partial<SessionState>): void {
    this.s = { ...this.s, ...patch };
    for (const listener of this.listeners) listener();
  }
}
