/** Output helpers: stdout carries results (one JSON document with --json), stderr carries logs. */
import { redactDeep, redactSecrets } from "../audit/redact.js";
import { visibleJson, visibleText } from "./visible.js";
export interface Output {
  out(text: string): void;
  err(text: string): void;
  json(value: unknown): void;
  color: boolean;
}

/** Messages and documents for the terminal: secret values redacted, untrusted text made visible (see visible.ts). */
export function processOutput(): Output {
  return writerOutput({
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    color: !process.env.NO_COLOR && Boolean(process.stderr.isTTY),
  });
}

/**
 * The same output onto any two writers: the daemon renders a relayed CLI call with it (see server/routes/cli.ts),
 * colour decided by the caller's terminal and environment rather than the daemon's.
 */
export function writerOutput(to: { stdout: (text: string) => void; stderr: (text: string) => void; color: boolean }): Output {
  const { color } = to;
  const line = (t: string) => {
    const shown = visibleText(redactSecrets(t), { ownColours: color });
    return shown.endsWith("\n") ? shown : `${shown}\n`;
  };
  return {
    out: (t) => to.stdout(line(t)),
    err: (t) => to.stderr(line(t)),
    json: (v) => to.stdout(`${visibleJson(JSON.stringify(redactDeep(v), null, 2))}\n`),
    color,
  };
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, dim: 2, bold: 1 } as const;

export function paint(o: Pick<Output, "color">, style: keyof typeof CODES, text: string): string {
  return o.color ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text;
}

/** A simple fixed-width table; the last column is not padded. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd()).join("\n");
}
