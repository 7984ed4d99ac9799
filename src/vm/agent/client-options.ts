/** Options of AgentClient and its calls. */
import type { AgentHello, Frame, FrameLimits } from "./protocol.js";

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** How long after an exec's own timeout the agent has to report the exit before the host gives up. */
export const EXEC_REPLY_GRACE_MS = 5_000;
export const DEFAULT_MAX_COLLECT_BYTES = 64 * 1024 * 1024;

export interface AgentClientOptions {
  /** Control requests fail after this long; transfers after this long without progress. */
  requestTimeoutMs?: number;
  limits?: FrameLimits;
  /** The agent greets every new connection (id 0); this sees it. */
  onGreeting?: (hello: AgentHello) => void;
  /** Frames for no pending request, e.g. stale output from an earlier connection or a late reply. */
  onStrayFrame?: (frame: Frame) => void;
  /**
   * Discard everything before the agent's first hello frame (its greeting, or the reply to
   * hello()). For virtio-serial, where a new connection may begin with the tail of bytes
   * the guest wrote for an earlier host. Call hello() first on such a client.
   */
  syncOnHello?: boolean;
}

export interface CallOptions {
  /** Overrides the client's requestTimeoutMs for this call. */
  timeoutMs?: number;
}

export interface ExecOptions {
  /** The command's process exists in the guest (its pid): where allocation latency ends. */
  onStarted?: (pid: number) => void;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Aborting kills the command's process group; the call still resolves, with `aborted: true`, once it is gone. */
  signal?: AbortSignal;
  /** Keep the output in the result (up to maxBytes per stream; default 64 MiB). */
  collect?: boolean | { maxBytes: number };
  /** Host-side limit for the whole call; default: the request's timeoutMs + 5 s, or none without one. */
  timeoutMs?: number;
}

export interface PutOptions extends CallOptions {
  /** File mode, default 0o644. */
  mode?: number;
}

export interface HelloOptions extends CallOptions {
  reset?: boolean;
}

export interface ShutdownOptions extends CallOptions {
  /** Default: the agent's --shutdown-mode (reboot). */
  mode?: "reboot" | "poweroff";
}
