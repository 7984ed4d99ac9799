/**
 * Wire contract with the guest agent (guest/agent/PROTOCOL.md): limits and header shapes.
 * Keep these numbers equal to guest/agent/agent.h.
 */

export const PROTOCOL_VERSION = 1;
export const FRAME_PREFIX_BYTES = 8;
export const MAX_HEADER_BYTES = 64 * 1024;
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
/** Host -> agent input (stdin, file and tar uploads) goes in chunks of this size. */
export const INPUT_CHUNK_BYTES = 1024 * 1024;
/** At most this much input is sent before the agent acknowledges it (the agent buffers ≤ 16 MiB). */
export const INPUT_WINDOW_BYTES = 4 * 1024 * 1024;
/** Largest reseed payload the agent accepts. */
export const RESEED_MAX_BYTES = 4096;

export interface FrameLimits {
  maxHeaderBytes: number;
  maxPayloadBytes: number;
}

export const DEFAULT_FRAME_LIMITS: FrameLimits = {
  maxHeaderBytes: MAX_HEADER_BYTES,
  maxPayloadBytes: MAX_PAYLOAD_BYTES,
};

/** Every frame header is a JSON object with at least these. `id` 0 = unsolicited (the agent's greeting, stray errors). */
export interface FrameHeader {
  type: string;
  id: number;
  [key: string]: unknown;
}

export interface Frame {
  header: FrameHeader;
  payload: Buffer;
}

/** What the agent says about itself (reply to `hello`, and its greeting on connect). */
export interface AgentHello {
  agent: string;
  version: string;
  protocol: number;
  capabilities: string[];
  maxHeaderBytes: number;
  maxPayloadBytes: number;
  pid: number;
  /** Guest time since boot (CLOCK_BOOTTIME), ms. */
  uptimeMs: number;
  /** Guest wall clock, ms since the epoch (a restored snapshot's clock is stale until setTime). */
  timeMs: number;
  /** Guest kernel release (uname -r). */
  kernel?: string;
}

export interface ExecRlimits {
  /** RLIMIT_CPU seconds: SIGXCPU at the limit, SIGKILL one second later. */
  cpuS?: number;
  /** RLIMIT_FSIZE: largest file the command may write (SIGXFSZ beyond). */
  fsizeBytes?: number;
  /** RLIMIT_NPROC (not enforced for root: set uid too). */
  nproc?: number;
}

export interface ExecRequest {
  /** Run this program (PATH search) ... */
  argv?: string[];
  /** ... or this script via `/bin/sh -c`. Exactly one of the two. */
  script?: string;
  /** Added to (or replacing entries of) the agent's environment. */
  env?: Record<string, string>;
  /** Start from an empty environment instead of the agent's. */
  clearEnv?: boolean;
  cwd?: string;
  /** Bytes for stdin; omitted = /dev/null. */
  stdin?: Uint8Array | string;
  /** The agent kills the whole process group after this long and reports timedOut. */
  timeoutMs?: number;
  rlimits?: ExecRlimits;
  uid?: number;
  gid?: number;
}

export interface ExecResult {
  /** Exit status, or null when a signal ended the command. */
  exitCode: number | null;
  /** "SIGTERM" etc., or null when the command exited. */
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
  /** True when the caller's AbortSignal fired and the command was killed for it. */
  aborted: boolean;
  stdoutBytes: number;
  stderrBytes: number;
  /** Collected output, only with `collect`. */
  stdout?: Buffer;
  stderr?: Buffer;
}

/** Request header as sent, built from an ExecRequest (snake_case on the wire). */
export function execHeader(req: ExecRequest): Record<string, unknown> {
  const header: Record<string, unknown> = {};
  if (req.argv !== undefined) header.argv = req.argv;
  if (req.script !== undefined) header.script = req.script;
  if (req.env !== undefined) header.env = req.env;
  if (req.clearEnv) header.clear_env = true;
  if (req.cwd !== undefined) header.cwd = req.cwd;
  if (req.timeoutMs !== undefined) header.timeout_ms = req.timeoutMs;
  if (req.uid !== undefined) header.uid = req.uid;
  if (req.gid !== undefined) header.gid = req.gid;
  if (req.rlimits) {
    const r: Record<string, number> = {};
    if (req.rlimits.cpuS !== undefined) r.cpu_s = req.rlimits.cpuS;
    if (req.rlimits.fsizeBytes !== undefined) r.fsize_bytes = req.rlimits.fsizeBytes;
    if (req.rlimits.nproc !== undefined) r.nproc = req.rlimits.nproc;
    header.rlimits = r;
  }
  header.stdin = req.stdin === undefined ? "null" : "pipe";
  return header;
}
