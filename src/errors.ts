/**
 * One module of small typed errors. Stages throw these; each carries the exit status it means, and only
 * the CLI entry point turns that into the process's exit status. Every error keeps its `cause`.
 */

/** Exit statuses (sysexits-style where one fits). Documented in the README. */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  /** The policy pipeline refused the command (EX_NOPERM). */
  REFUSED: 77,
  /** Bad configuration or command definition (EX_CONFIG). */
  CONFIG: 78,
  /** A bug: an error firebreak did not expect (EX_SOFTWARE). */
  INTERNAL: 70,
  /** The command ran past its timeout. */
  TIMEOUT: 124,
  /** The run was cancelled (Ctrl-C, client gone, daemon stopping): 128 + SIGINT. */
  CANCELLED: 130,
} as const;

export interface SourceLocation {
  file?: string;
  line?: number;
  field?: string;
}

/** Base class: every error firebreak throws on purpose is one of these. */
export class FirebreakError extends Error {
  override name = "FirebreakError";
  /** The process exit status this error means at the CLI (sysexits-style where one fits). */
  readonly exitCode: number = EXIT.FAILURE;
  /** A stable machine-readable kind, used in `--json` errors and HTTP error bodies. */
  readonly code: string = "failure";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function locate(loc: SourceLocation): string {
  const parts: string[] = [];
  if (loc.file) parts.push(loc.line ? `${loc.file}:${loc.line}` : loc.file);
  if (loc.field) parts.push(`field '${loc.field}'`);
  return parts.length ? `${parts.join(": ")}: ` : "";
}

/** The user called something wrongly (unknown command, bad flag). Exit 2. */
export class UsageError extends FirebreakError {
  override name = "UsageError";
  override readonly exitCode: number = EXIT.USAGE;
  override readonly code: string = "usage";
}

/** An argument bound to a command parameter is missing or invalid. Exit 2. */
export class ArgumentError extends UsageError {
  override name = "ArgumentError";
  override readonly code: string = "argument";
  constructor(
    message: string,
    readonly parameter?: string,
    readonly usage?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A configuration file is malformed or invalid. Exit 78. */
export class ConfigError extends FirebreakError {
  override name = "ConfigError";
  override readonly exitCode: number = EXIT.CONFIG;
  override readonly code: string = "config";
  constructor(
    message: string,
    readonly location: SourceLocation = {},
    options?: { cause?: unknown },
  ) {
    super(`${locate(location)}${message}`, options);
  }
}

/** Every problem one configuration load found, each with its file, line and key; the message lists them all. */
export class ConfigIssuesError extends ConfigError {
  override name = "ConfigIssuesError";
  constructor(readonly issues: { message: string; location: SourceLocation }[]) {
    super(`${issues.length} configuration errors:\n${issues.map((i) => `  ${locate(i.location)}${i.message}`).join("\n")}`);
  }
}

/** A command definition file is malformed or invalid. */
export class DefinitionError extends FirebreakError {
  override name = "DefinitionError";
  override readonly exitCode: number = EXIT.CONFIG;
  override readonly code: string = "definition";
  constructor(
    message: string,
    readonly location: SourceLocation = {},
    options?: { cause?: unknown },
  ) {
    super(`${locate(location)}${message}`, options);
  }
}

/** No command (or alias) of that name is registered. Exit 2. */
export class UnknownCommandError extends UsageError {
  override name = "UnknownCommandError";
  override readonly code: string = "unknown_command";
}

/** A template could not be rendered (unknown placeholder, unbalanced section). */
export class TemplateError extends FirebreakError {
  override name = "TemplateError";
  override readonly exitCode: number = EXIT.CONFIG;
  override readonly code: string = "template";
}

/**
 * The policy pipeline decided the command must not run (here, or at all).
 * `reasons` are human-readable; exit code 77 (EX_NOPERM).
 */
export class RefusedError extends FirebreakError {
  override name = "RefusedError";
  override readonly exitCode: number = EXIT.REFUSED;
  override readonly code: string = "refused";
  constructor(
    message: string,
    readonly reasons: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The audit log is unreadable or its hash chain is broken. */
export class AuditError extends FirebreakError {
  override name = "AuditError";
  override readonly code: string = "audit";
}

/** The audit log was asked for while `[audit] enabled = false`. */
export class AuditDisabledError extends AuditError {
  override name = "AuditDisabledError";
  constructor() {
    super("the audit log is disabled ([audit] enabled = false)");
  }
}

/** A microVM backend or guest agent failed. */
export class VmError extends FirebreakError {
  override name = "VmError";
  override readonly code: string = "vm";
}

/** No microVM capacity within the queue timeout (`[pool] max_concurrent`, `queue_timeout_ms`). */
export class VmCapacityError extends VmError {
  override name = "VmCapacityError";
  override readonly code: string = "vm_capacity";
}

/** `firebreak pool …` without a daemon, or a pool request the daemon cannot serve. */
export class PoolError extends FirebreakError {
  override name = "PoolError";
  override readonly code: string = "pool";
}

/**
 * The Firecracker API answered a request with an error status. `faultMessage` is Firecracker's
 * `fault_message` (or the raw body when it sent none).
 */
export class FirecrackerApiError extends VmError {
  override name = "FirecrackerApiError";
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly faultMessage: string,
    options?: { cause?: unknown },
  ) {
    super(`firecracker API ${method} ${path} failed with ${status}: ${faultMessage}`, options);
  }
}

/** The Firecracker API socket could not be reached, or a request timed out. */
export class FirecrackerConnectionError extends VmError {
  override name = "FirecrackerConnectionError";
  constructor(
    message: string,
    readonly socketPath: string,
    readonly timedOut = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The host side of a vsock connection (`CONNECT <port>` over Firecracker's UDS) was refused or garbled. */
export class VsockHandshakeError extends VmError {
  override name = "VsockHandshakeError";
  constructor(
    message: string,
    readonly port: number,
    /** What the peer answered instead of `OK <n>`, if anything. */
    readonly response?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A hook failed (error, bad outcome, external program crash). The pipeline decides whether that blocks. */
export class HookError extends FirebreakError {
  override name = "HookError";
  override readonly code: string = "hook";
  constructor(
    message: string,
    readonly hook?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A backup could not be made, read or restored (missing id, corrupt manifest, checksum mismatch). */
export class BackupError extends FirebreakError {
  override name = "BackupError";
  override readonly code: string = "backup";
}

/** A changeset could not be found, read, applied or discarded (unknown or ambiguous id, corrupt record, already applied). */
export class ChangesError extends FirebreakError {
  override name = "ChangesError";
  override readonly code: string = "changes";
}

/** QEMU's QMP monitor answered with an error, closed, or said something that is not QMP. */
export class QmpError extends VmError {
  override name = "QmpError";
  constructor(
    message: string,
    /** QMP error class (e.g. `GenericError`), when QEMU sent one. */
    readonly qmpClass?: string,
    /** The QMP command that failed, if any. */
    readonly command?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The guest image (kernel + initramfs) could not be built or is missing an input. */
export class ImageBuildError extends FirebreakError {
  override name = "ImageBuildError";
  override readonly code: string = "image_build";
  constructor(
    message: string,
    /** Tail of the failing step's output, for the user. */
    readonly outputTail?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Persistent state (rate-limit buckets, ...) under the state dir is unreadable, corrupt or cannot be locked. */
export class StateError extends FirebreakError {
  override name = "StateError";
  override readonly code: string = "state";
  constructor(
    message: string,
    /** The state file concerned. */
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The guest agent's channel carried something that is not the agent protocol (bad frame, oversize, bad JSON). */
export class AgentProtocolError extends VmError {
  override name = "AgentProtocolError";
}

/** The guest agent refused or failed a request and said why. */
export class AgentRemoteError extends VmError {
  override name = "AgentRemoteError";
  constructor(
    message: string,
    /** The agent's error code (`bad_request`, `spawn_failed`, `not_found`, `io`, `tar_failed`, ...). */
    readonly agentCode: string,
    /** The request type that failed. */
    readonly request?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The guest agent did not answer a request in time. */
export class AgentTimeoutError extends VmError {
  override name = "AgentTimeoutError";
}

/** The channel to the guest agent closed (the VM died or disconnected) while a request was pending. */
export class AgentClosedError extends VmError {
  override name = "AgentClosedError";
}

/** A knowledge graph source (markdown folder, thesaurus JSON, cache entry) is unreadable or malformed. */
export class KnowledgeGraphError extends FirebreakError {
  override name = "KnowledgeGraphError";
  override readonly code: string = "knowledge_graph";
  constructor(
    message: string,
    readonly location: SourceLocation = {},
    options?: { cause?: unknown },
  ) {
    super(`${locate(location)}${message}`, options);
  }
}

/** A run was cancelled before it finished (client disconnected, Ctrl-C, daemon stopping). */
export class CancelledError extends FirebreakError {
  override name = "CancelledError";
  override readonly exitCode: number = EXIT.CANCELLED;
  override readonly code: string = "cancelled";
}

/** The daemon could not be reached or answered something that is not firebreak's API. */
export class DaemonError extends FirebreakError {
  override name = "DaemonError";
  override readonly code: string = "daemon";
}

/** An error the daemon answered for a request: its kind, message and exit status travel with it. */
export class RemoteError extends FirebreakError {
  override name = "RemoteError";
  override readonly exitCode: number;
  override readonly code: string;
  readonly reasons?: string[];
  readonly usage?: string;
  constructor(body: { code: string; message: string; exit_code: number; reasons?: string[]; usage?: string }) {
    super(body.message);
    this.exitCode = body.exit_code;
    this.code = body.code;
    this.reasons = body.reasons;
    this.usage = body.usage;
  }
}
