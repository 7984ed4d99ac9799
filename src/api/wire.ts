/**
 * The HTTP API's contract shared by the server and the lean client: how engine events travel as NDJSON
 * lines, the error body, and the request and response shapes. Types and pure functions only, so the client
 * loads none of the engine.
 */
import type { EngineEvent } from "../engine/events.js";
import type { PlanView, RunResult } from "../engine/types.js";

/** An engine event on the wire: output chunks as UTF-8 `text` when they are valid UTF-8, else `base64`. */
export type WireEvent =
  | Exclude<EngineEvent, { type: "output" }>
  | { type: "output"; stream: "stdout" | "stderr"; text?: string; base64?: string }
  | { type: "error"; error: ErrorBody["error"] };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** One event as one NDJSON line (with its newline). Lossless for any output bytes. */
export function encodeEvent(event: EngineEvent | { type: "error"; error: ErrorBody["error"] }): string {
  if (event.type !== "output") return `${JSON.stringify(event)}\n`;
  let wire: WireEvent;
  try {
    wire = { type: "output", stream: event.stream, text: strictUtf8.decode(event.chunk) };
  } catch {
    wire = { type: "output", stream: event.stream, base64: event.chunk.toString("base64") };
  }
  return `${JSON.stringify(wire)}\n`;
}

/** The engine event a wire event stands for (output back to bytes). */
export function decodeEvent(wire: WireEvent): EngineEvent | { type: "error"; error: ErrorBody["error"] } {
  if (wire.type !== "output") return wire;
  const chunk = wire.base64 !== undefined ? Buffer.from(wire.base64, "base64") : Buffer.from(wire.text ?? "", "utf8");
  return { type: "output", stream: wire.stream, chunk };
}

export const NDJSON = "application/x-ndjson";

/** Every error response: what went wrong, and the exit status the CLI would have used. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    exit_code: number;
    reasons?: string[];
    usage?: string;
    /** For 400: each invalid field of the request, by path. */
    issues?: { path: string; message: string }[];
  };
}

/** `POST /v1/runs` and `POST /v1/plan`: a named command with its arguments, or an ad-hoc shell line. */
export interface InvocationRequest {
  command?: string;
  args?: string[];
  line?: string;
  /** With `line`: run it in a microVM even where the policy would allow the host. */
  vm?: boolean;
  role?: string;
  /** Absolute path: project configuration, project commands and trust are resolved from here. */
  cwd: string;
  /** Confirm `ask` rules (else 409 with the question). */
  yes?: boolean;
  /** The caller's environment; the command sees only `[exec] env_allowlist` of it. Default: the daemon's. */
  env?: Record<string, string>;
}

/** A refusal before anything ran (403), or a confirmation that is needed (409, with the question). */
export interface RefusedBody {
  plan: PlanView;
  refused: { message: string; reasons: string[]; allowed_roles?: string[] };
  question?: string;
}

export interface RunBody {
  plan: PlanView;
  result: RunResult;
}

export interface PlanBody {
  plan: PlanView;
}
