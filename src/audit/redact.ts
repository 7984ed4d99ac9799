/**
 * Secret redaction for everything firebreak persists or prints. A `secret: true` parameter's value ends up in more
 * places than its own field: the rendered script, segment argv, refusal reasons, validation messages, hook events.
 * So the values themselves are registered when arguments are bound, and every sink (audit log, CLI output, hook
 * events, webhook bodies) replaces them — raw, shell-quoted and JSON-escaped — with `[redacted]`.
 *
 * The registry is per process: a CLI process serves one invocation; a long-running server only over-redacts.
 */
import { quoteShellWord } from "../commands/shell-quote.js";

export const REDACTED = "[redacted]";

const forms = new Set<string>();
let pattern: RegExp | undefined;

/**
 * Marks a value as secret from now on in this process.
 * @example registerSecret("hunter2"); redactSecrets("pw='hunter2'") // "pw=[redacted]"
 */
export function registerSecret(value: string): void {
  if (value === "" || value.includes("\0")) return;
  const before = forms.size;
  for (const form of [quoteShellWord(value), value, JSON.stringify(value).slice(1, -1)]) forms.add(form);
  if (forms.size === before) return;
  // Longest first: the quoted form wins over the raw value inside it.
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  pattern = new RegExp(alternatives.join("|"), "g");
}

/** Text with every registered secret replaced. */
export function redactSecrets(text: string): string {
  return pattern ? text.replace(pattern, REDACTED) : text;
}

/** A copy of a JSON-like value with every string redacted (object keys included). */
export function redactDeep<T>(value: T): T {
  if (!pattern) return value;
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactSecrets(k), redactValue(v)]));
  }
  return value;
}

/** Forgets every registered secret (tests). */
export function forgetSecrets(): void {
  forms.clear();
  pattern = undefined;
}
