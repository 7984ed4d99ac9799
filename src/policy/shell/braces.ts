/**
 * Bash brace expansion (`a{b,c}`, `{1..3}`, `{a..e..2}`) over word parts, honouring quotes:
 * only unquoted braces and commas expand. `rm -rf {/,x}` must be judged as `rm -rf / x`.
 */
import type { WordPart } from "./words.js";

/** More words than this from one word is treated as unknowable. */
export const MAX_BRACE_WORDS = 256;

interface Cell {
  ch: string;
  /** Quoted or dynamic characters never take part in brace syntax. */
  literal: boolean;
  quoted: boolean;
  dynamic: boolean;
}

/**
 * Expands the braces in one word. Returns the resulting words (as parts) or "overflow".
 * @example expandBraces([{ text: "a{b,c}", quoted: false, dynamic: false }]) // words "ab", "ac"
 */
export function expandBraces(parts: WordPart[]): WordPart[][] | "overflow" {
  if (!parts.some((p) => !p.quoted && !p.dynamic && p.text.includes("{"))) return [parts];
  const cells: Cell[] = [];
  for (const p of parts) {
    for (const ch of p.text) cells.push({ ch, literal: p.quoted || p.dynamic, quoted: p.quoted, dynamic: p.dynamic });
  }
  const budget = { remaining: MAX_BRACE_WORDS };
  const expanded = expandCells(cells, budget);
  if (expanded === "overflow") return "overflow";
  if (expanded.length === 1) return [toParts(expanded[0] as Cell[])];
  // like bash, empty words produced by an expansion disappear
  return expanded.filter((w) => w.length > 0).map(toParts);
}

function expandCells(cells: Cell[], budget: { remaining: number }): Cell[][] | "overflow" {
  for (let open = 0; open < cells.length; open++) {
    if (!isSyntax(cells[open], "{")) continue;
    const alternatives = findAlternatives(cells, open);
    if (!alternatives) continue;
    const prefix = cells.slice(0, open);
    const suffix = cells.slice(alternatives.close + 1);
    const results: Cell[][] = [];
    for (const alt of alternatives.items) {
      const rest = expandCells([...alt, ...suffix], budget);
      if (rest === "overflow") return "overflow";
      for (const r of rest) {
        budget.remaining -= 1;
        if (budget.remaining < 0) return "overflow";
        results.push([...prefix, ...r]);
      }
    }
    return results;
  }
  return [cells];
}

function isSyntax(cell: Cell | undefined, ch: string): boolean {
  return cell !== undefined && !cell.literal && cell.ch === ch;
}

/** The comma-separated (or sequence) items of the brace group opened at `open`, if it is one. */
function findAlternatives(cells: Cell[], open: number): { close: number; items: Cell[][] } | undefined {
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < cells.length; i++) {
    const cell = cells[i];
    if (isSyntax(cell, "{") && !isSyntax(cells[i - 1], "$")) depth += 1;
    else if (isSyntax(cell, "}")) {
      depth -= 1;
      if (depth === 0) {
        if (commas.length > 0) return { close: i, items: splitAt(cells, open, commas, i) };
        const sequence = expandSequence(cells.slice(open + 1, i));
        return sequence ? { close: i, items: sequence } : undefined;
      }
    } else if (isSyntax(cell, ",") && depth === 1) commas.push(i);
  }
  return undefined;
}

function splitAt(cells: Cell[], open: number, commas: number[], close: number): Cell[][] {
  const bounds = [open, ...commas, close];
  const items: Cell[][] = [];
  for (let k = 0; k + 1 < bounds.length; k++) items.push(cells.slice((bounds[k] as number) + 1, bounds[k + 1]));
  return items;
}

const NUMERIC_SEQUENCE_RE = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/;
const ALPHA_SEQUENCE_RE = /^([a-zA-Z])\.\.([a-zA-Z])(?:\.\.(-?\d+))?$/;

function expandSequence(inner: Cell[]): Cell[][] | undefined {
  if (inner.some((c) => c.literal)) return undefined;
  const text = inner.map((c) => c.ch).join("");
  const numeric = NUMERIC_SEQUENCE_RE.exec(text);
  const alpha = numeric ? undefined : ALPHA_SEQUENCE_RE.exec(text);
  const match = numeric ?? alpha;
  if (!match) return undefined;
  const from = numeric ? Number(match[1]) : (match[1] as string).charCodeAt(0);
  const to = numeric ? Number(match[2]) : (match[2] as string).charCodeAt(0);
  const step = Math.abs(Number(match[3] ?? "1")) || 1;
  const count = Math.floor(Math.abs(to - from) / step) + 1;
  if (count > MAX_BRACE_WORDS) return [[...inner.map((c) => ({ ...c, dynamic: true, literal: true }))]];
  const direction = to >= from ? 1 : -1;
  const items: Cell[][] = [];
  for (let k = 0; k < count; k++) {
    const value = from + direction * step * k;
    const word = numeric ? String(value) : String.fromCharCode(value);
    items.push([...word].map((ch) => ({ ch, literal: false, quoted: false, dynamic: false })));
  }
  return items;
}

function toParts(cells: Cell[]): WordPart[] {
  const parts: WordPart[] = [];
  for (const cell of cells) {
    const last = parts[parts.length - 1];
    if (last && last.quoted === cell.quoted && last.dynamic === cell.dynamic) last.text += cell.ch;
    else parts.push({ text: cell.ch, quoted: cell.quoted, dynamic: cell.dynamic });
  }
  return parts;
}
