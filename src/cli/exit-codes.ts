import { ArgumentError, ConfigError, DefinitionError, FirebreakError, RefusedError, TemplateError, UsageError } from "../errors.js";

/** Exit codes (sysexits-style where one fits). Documented in the README. */
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
} as const;

/** The only place errors become exit codes. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof RefusedError) return EXIT.REFUSED;
  if (error instanceof UsageError || error instanceof ArgumentError) return EXIT.USAGE;
  if (error instanceof ConfigError || error instanceof DefinitionError || error instanceof TemplateError) return EXIT.CONFIG;
  if (error instanceof FirebreakError) return EXIT.FAILURE;
  if (isCommanderError(error)) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  return EXIT.INTERNAL;
}

export function isCommanderError(error: unknown): error is { code: string; exitCode: number } {
  return typeof error === "object" && error !== null && "code" in error && String((error as { code: unknown }).code).startsWith("commander.");
}
