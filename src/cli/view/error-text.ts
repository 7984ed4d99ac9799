import { type Output, paint } from "../output.js";
import { allowedRolesHint, reasonLines } from "./reasons-text.js";

/** An error as the CLI shows it, whether it was thrown here or came back from the daemon. */
export interface ErrorView {
  code: string;
  message: string;
  reasons?: string[];
  usage?: string;
  /** With a refusal: other configured roles that would allow it. */
  allowed_roles?: string[];
}

/**
 * `firebreak: <message>`, the reasons (each once, most important first, at most a screenful), which role
 * would allow a refused command, the usage, and a note for configuration errors.
 */
export function errorText(o: Output, error: ErrorView): string {
  const lines = [`${paint(o, "red", "firebreak")}: ${error.message}`, ...reasonLines(error.reasons ?? [])];
  const hint = allowedRolesHint(error.allowed_roles);
  if (hint) lines.push(`firebreak: ${hint}`);
  if (error.usage) lines.push(`usage: ${error.usage}`);
  if (error.code === "config" || error.code === "definition") lines.push("(configuration error)");
  return lines.join("\n");
}

/**
 * The error as the one JSON document `--json` promises on stdout: `{"error": {code, message, exit_code, …}}`,
 * the same shape as the HTTP API's error bodies.
 */
export function errorDocument(error: ErrorView & { exit_code: number }): { error: ErrorView & { exit_code: number } } {
  const { code, message, exit_code, reasons, usage, allowed_roles } = error;
  return { error: { code, message, exit_code, ...(reasons?.length ? { reasons } : {}), ...(usage ? { usage } : {}), ...(allowed_roles?.length ? { allowed_roles } : {}) } };
}

/** True when the invocation asked for JSON: `--json` before any `--` (after it, the words are a shell line's). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}
