/**
 * One module of small typed errors. Stages throw these; only the CLI entry point
 * maps them to exit codes (see src/cli/exit-codes.ts). Every error keeps its `cause`.
 */

export interface SourceLocation {
  file?: string;
  line?: number;
  field?: string;
}

/** Base class: every error firebreak throws on purpose is one of these. */
export class FirebreakError extends Error {
  override name = "FirebreakError";
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
}

/** An argument bound to a command parameter is missing or invalid. Exit 2. */
export class ArgumentError extends UsageError {
  override name = "ArgumentError";
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
  constructor(
    message: string,
    readonly location: SourceLocation = {},
    options?: { cause?: unknown },
  ) {
    super(`${locate(location)}${message}`, options);
  }
}

/** A command definition file is malformed or invalid. */
export class DefinitionError extends FirebreakError {
  override name = "DefinitionError";
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
}

/** A template could not be rendered (unknown placeholder, unbalanced section). */
export class TemplateError extends FirebreakError {
  override name = "TemplateError";
}

/**
 * The policy pipeline decided the command must not run (here, or at all).
 * `reasons` are human-readable; exit code 77 (EX_NOPERM).
 */
export class RefusedError extends FirebreakError {
  override name = "RefusedError";
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
}

/** A microVM backend or guest agent failed. */
export class VmError extends FirebreakError {
  override name = "VmError";
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
    readonly code: string,
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
  constructor(
    message: string,
    readonly location: SourceLocation = {},
    options?: { cause?: unknown },
  ) {
    super(`${locate(location)}${message}`, options);
  }
}
