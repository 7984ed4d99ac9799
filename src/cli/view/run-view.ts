import { EXIT } from "../../errors.js";
import type { EngineEvent } from "../../engine/events.js";
import type { PlanView, RunResult } from "../../engine/types.js";
import { type Output, paint } from "../output.js";
import { runChangesText } from "./changes-text.js";
import { errorText } from "./error-text.js";
import { Progress } from "./progress.js";
import { commandLabel, decisionHeader, describePlan, vmFooter } from "./plan-text.js";

export interface RunViewOptions {
  /** One JSON document on stdout at the end instead of live output. */
  json: boolean;
  /** `--plan`: show the decision, nothing runs. */
  planOnly: boolean;
  /** Named in the placement line when the run went through the daemon. */
  via?: string;
  /** Live output sinks (process.stdout / process.stderr in the CLI). */
  write: { stdout: (chunk: Buffer) => void; stderr: (chunk: Buffer) => void };
  /** Show progress while a microVM starts (seconds of silence on a shape's first use); tty: stderr is a terminal. */
  progress?: { tty: boolean };
}

/** Without a terminal, a VM start silent for this long gets a plain "still starting" line. */
export const VM_START_HEARTBEAT_MS = 2000;

/**
 * `firebreak run` on a terminal: a view of one invocation's event stream. The in-process CLI feeds it
 * engine events; the daemon client feeds it the same events decoded from NDJSON, so both print the same.
 *
 * @example
 * const view = new RunView(output, { json: false, planOnly: false, write });
 * await invoke(ctx, invocation, options, { emit: (e) => view.onEvent(e) });
 * return view.exitStatus();
 */
export class RunView {
  private plan?: PlanView;
  private result?: RunResult;
  private refused?: { message: string; reasons: string[]; allowed_roles?: string[] };
  private readonly progress?: Progress;

  constructor(
    private readonly o: Output,
    private readonly options: RunViewOptions,
  ) {
    if (options.progress && !options.json && !options.planOnly) {
      const write = (t: string) => options.write.stderr(Buffer.from(t));
      this.progress = new Progress({ tty: options.progress.tty, prefix: "firebreak", write, heartbeatMs: VM_START_HEARTBEAT_MS });
    }
  }

  onEvent(event: EngineEvent): void {
    const { o, options } = this;
    // Hooks run before the VM starts; anything else means it started (or never will): the progress ends.
    if (event.type !== "hook" && event.type !== "plan" && event.type !== "queued") this.progress?.stop();
    switch (event.type) {
      case "queued":
        // Waiting for capacity is said once per change, never as a silent stall.
        if (this.progress) this.progress.stage(queuedText(event.ahead));
        else if (!options.json) o.err(`firebreak: ${queuedText(event.ahead)}`);
        return;
      case "plan":
        this.plan = event.plan;
        if (event.plan.decision.placement === "vm") this.progress?.stage("starting the microVM (a VM shape's first use makes its template snapshot)");
        if (options.planOnly) {
          if (options.json) o.json({ plan: event.plan });
          else o.out(describePlan(o, event.plan, options.via));
        } else if (!options.json) o.err(decisionHeader(o, event.plan, options.via));
        return;
      case "output":
        if (!options.json) options.write[event.stream](event.chunk);
        return;
      case "log":
        if (!options.json) o.err(event.message);
        return;
      case "refused":
        this.refused = { message: event.message, reasons: event.reasons, ...(event.allowed_roles?.length ? { allowed_roles: event.allowed_roles } : {}) };
        if (options.json) o.json({ plan: this.plan, refused: this.refused });
        else o.err(errorText(o, { code: "refused", ...this.refused }));
        return;
      case "result":
        this.result = event.result;
        if (options.json) o.json({ plan: this.plan, result: event.result });
        else {
          if (event.result.killReason) o.err(paint(o, "red", `firebreak: ${commandLabel(this.plan ?? { command: null, rendered: null })} ${event.result.killReason}`));
          if (event.result.vm) o.err(vmFooter(event.result.vm));
          if (event.result.changes) o.err(runChangesText(o, event.result.changes));
        }
        return;
      default:
        return;
    }
  }

  /** The result, once the run completed. */
  completed(): RunResult | undefined {
    return this.result;
  }

  /** The process exit status this invocation means: the command's own, 77 refused (or a denied plan). */
  exitStatus(): number {
    if (this.refused) return EXIT.REFUSED;
    if (this.result) return this.result.exitCode;
    if (this.options.planOnly && this.plan?.decision.placement === "denied") return EXIT.REFUSED;
    return EXIT.OK;
  }
}

/** `queued, 3 ahead`: what a run waiting for microVM capacity says. */
export function queuedText(ahead: number): string {
  return `queued for a microVM, ${ahead} ahead`;
}
