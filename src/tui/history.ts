/**
 * The prompt's history: kept across sessions in the state dir (one JSON string per line, 0600), newest last,
 * never with a secret value in it — parameters marked `secret` are replaced by `[redacted]` before a line is
 * stored, and so is any value the process registered as secret (audit/redact.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { REDACTED, redactSecrets, registerSecret } from "../audit/redact.js";
import type { CommandIndex } from "./complete.js";
import { splitWords, type Word } from "./line.js";

export const HISTORY_FILE = "tui-history.jsonl";
export const MAX_HISTORY_ENTRIES = 500;

/**
 * The line with every secret parameter's value replaced by `[redacted]`, binding words to parameters as
 * `bindArguments` does (`--name v`, `--name=v`, `name=v`, then positionals in declared order, booleans
 * excluded). `/plan <command line>` is redacted the same way. The values found are registered as secrets,
 * so every later sink (the plan's rendered script, a daemon's answer) redacts them too.
 *
 * @example
 * redactSecretArguments("login --token s3cr3t", index) // "login --token [redacted]"
 */
export function redactSecretArguments(line: string, index: CommandIndex): string {
  const offset = line.startsWith("/plan ") ? "/plan ".length : 0;
  const words = splitWords(line.slice(offset)).map((w) => ({ ...w, start: w.start + offset, end: w.end + offset }));
  const info = words[0] ? index.get(words[0].value) : undefined;
  const params = info?.parameters ?? [];
  if (!params.some((p) => p.secret)) return redactSecrets(line);
  const flag = (p: { name: string }) => `--${p.name.replaceAll("_", "-")}`;
  const secretSpans: { start: number; end: number; keep: number }[] = [];
  const named = new Set<string>();
  const positional: Word[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    const eq = /^(--)?([A-Za-z][A-Za-z0-9_-]*)=/.exec(w.value);
    const p = params.find((x) => (eq ? x.name.replaceAll("_", "-") === eq[2]!.replaceAll("_", "-") : flag(x) === w.value));
    if (p && eq) {
      named.add(p.name);
      if (p.secret) secretSpans.push({ start: w.start, end: w.end, keep: eq[0].length });
    } else if (p) {
      named.add(p.name);
      if (p.type !== "boolean" && words[i + 1]) {
        if (p.secret) secretSpans.push({ start: words[i + 1]!.start, end: words[i + 1]!.end, keep: 0 });
        i++;
      }
    } else if (!w.value.startsWith("--")) positional.push(w);
  }
  const slots = params.filter((p) => p.type !== "boolean" && !named.has(p.name));
  slots.forEach((p, i) => {
    const w = positional[i];
    if (w && p.secret) secretSpans.push({ start: w.start, end: w.end, keep: 0 });
  });
  let out = line;
  for (const s of secretSpans.sort((a, b) => b.start - a.start)) {
    const value = splitWords(line.slice(s.start + s.keep, s.end))[0]?.value;
    if (value) registerSecret(value);
    const prefix = line.slice(s.start, s.start + s.keep);
    out = `${out.slice(0, s.start)}${prefix}${REDACTED}${out.slice(s.end)}`;
  }
  return redactSecrets(out);
}

/**
 * @example
 * const history = new History(stateDir);
 * history.add("hello-world --name Ada");
 * history.entries() // [..., "hello-world --name Ada"]
 */
export class History {
  private readonly file: string;
  private items: string[];

  constructor(stateDir: string) {
    this.file = path.join(stateDir, HISTORY_FILE);
    this.items = readHistory(this.file);
  }

  entries(): readonly string[] {
    return this.items;
  }

  /** Stores an already redacted line (a repeat of the last entry is not stored again). */
  add(line: string): void {
    if (!line.trim() || this.items.at(-1) === line) return;
    this.items.push(line);
    const dropped = this.items.length > MAX_HISTORY_ENTRIES;
    if (dropped) this.items = this.items.slice(-MAX_HISTORY_ENTRIES);
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      if (dropped) fs.writeFileSync(this.file, this.items.map((l) => `${JSON.stringify(l)}\n`).join(""), { mode: 0o600 });
      else fs.appendFileSync(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    } catch {
      // History is a convenience: a read-only state dir must not break the prompt.
    }
  }
}

function readHistory(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value === "string") out.push(value);
    } catch {
      // a torn last line (a crash while appending) is skipped
    }
  }
  return out.slice(-MAX_HISTORY_ENTRIES);
}
