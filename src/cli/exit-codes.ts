import { EXIT, FirebreakError } from "../errors.js";

export { EXIT };

/** The only place errors become exit statuses: each firebreak error carries its own. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof FirebreakError) return error.exitCode;
  if (isCommanderError(error)) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  return EXIT.INTERNAL;
}

export function isCommanderError(error: unknown): error is { code: string; exitCode: number } {
  return typeof error === "object" && error !== null && "code" in error && String((error as { code: unknown }).code).startsWith("commander.");
}
