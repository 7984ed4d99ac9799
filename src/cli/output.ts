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
  const color = !process.env.NO_COLOR && Boolean(process.stderr.isTTY);
  const line = (t: string) => {
    const shown = visibleText(redactSecrets(t), { ownColours: color });
    return shown.endsWith("\n") ? shown : `${shown}\n`;
  };
  return {
    out: (t) => process.stdout.write(line(t)),
    err: (t) => process.stderr.write(line(t)),
    json: (v) => process.stdout.write(`${visibleJson(JSON.stringify(redactDeep(v), null, 2))}\n`),
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
