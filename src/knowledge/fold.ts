/**
 * Case folding for matching. Terms and text are folded with the same per-character function so that a
 * term matches the text whatever the case of either:
 *
 * - every character is replaced by its Unicode lowercase (`String.prototype.toLowerCase`, locale-independent);
 * - the lowercase is taken character by character, so Greek final sigma is not context-dependent: `Σ`, `σ`
 *   and `ς` all fold to `σ` (otherwise "ΟΔΟΣ" would lowercase to "οδος" as a word but "οδοσ" per letter);
 * - `İ` (U+0130) is the only BMP character whose lowercase is longer than itself (`i` + U+0307), so folding
 *   can change the length of a text; {@link foldWithMap} returns the map back to the original offsets.
 *   Astral letters (Deseret, Osage, Adlam, ...) lowercase to astral letters: same length.
 *
 * Full case folding (`ß` = `ss`) is not applied: `ß` matches `ẞ` and `ß`, not `ss`.
 */

const DOTTED_CAPITAL_I = 0x130;
const GREEK_FINAL_SIGMA = 0x3c2;
const GREEK_SMALL_SIGMA = 0x3c3;

let foldTable: Uint16Array | undefined;

/**
 * The BMP without the surrogate range, as strings with the code unit each starts at: one regular-expression scan
 * over them classifies every character far faster than 65,536 separate calls (a table costs ~3 ms instead of ~15 ms
 * of every process's start).
 */
export function bmpRuns(): readonly { first: number; text: string }[] {
  const units = new Uint16Array(0x10000);
  for (let u = 0; u < 0x10000; u++) units[u] = u;
  const decoder = new TextDecoder("utf-16le");
  return [
    { first: 0, text: decoder.decode(units.subarray(0, 0xd800)) },
    { first: 0xe000, text: decoder.decode(units.subarray(0xe000)) },
  ];
}

/**
 * The one-unit fold of every BMP code unit (surrogates map to themselves; `İ` maps to `i`, the first unit of
 * its two-unit lowercase — callers that care about length handle it separately).
 */
export function bmpFoldTable(): Uint16Array {
  if (foldTable) return foldTable;
  const table = new Uint16Array(0x10000);
  for (let unit = 0; unit < 0x10000; unit++) table[unit] = unit;
  // Only characters with Unicode's Changes_When_Lowercased property fold to something else (a test compares this
  // with lowercasing every unit one by one).
  for (const { first, text } of bmpRuns()) {
    for (const m of text.matchAll(/\p{CWL}/gu)) {
      const unit = first + m.index;
      table[unit] = String.fromCharCode(unit).toLowerCase().charCodeAt(0);
    }
  }
  table[GREEK_FINAL_SIGMA] = GREEK_SMALL_SIGMA;
  table[0x3a3] = GREEK_SMALL_SIGMA;
  foldTable = table;
  return table;
}

const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * True when every unit of `text` is ASCII: then folding is ASCII lowercasing, and a 128-entry table does what the
 * BMP tables do. Commands and most terms are ASCII, so a process that matches only them never builds the BMP tables
 * (~15 ms of a CLI call).
 */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/** True when folding `text` may change its length or needs surrogate-pair handling. */
export function needsSlowFold(text: string): boolean {
  if (text.indexOf("\u0130") !== -1) return true;
  // Only astral characters in these blocks change under lowercasing (checked against Node's Unicode data).
  return /[\uD801\uD803\uD806\uD81B\uD83A]/.test(text);
}

/**
 * Folds a string (a term or a text) to lowercase, per character.
 *
 * @example
 * foldCase("ΟΔΟΣ Straße İ") // "οδοσ straße i̇"
 */
export function foldCase(text: string): string {
  if (isAscii(text)) return text.toLowerCase();
  if (!needsSlowFold(text)) {
    const table = bmpFoldTable();
    let first = 0;
    while (first < text.length && table[text.charCodeAt(first)] === text.charCodeAt(first)) first++;
    // Terms are normally lowercase already: nothing to allocate.
    if (first === text.length) return text;
    const units = new Uint16Array(text.length);
    for (let i = 0; i < text.length; i++) units[i] = table[text.charCodeAt(i)]!;
    let out = "";
    for (let i = 0; i < units.length; i += 8192) out += String.fromCharCode(...units.subarray(i, i + 8192));
    return out;
  }
  return foldWithMap(text).folded;
}

/** A folded text and, when folding changed its length, the map from folded units back to the original. */
export interface FoldedText {
  folded: string;
  /** `startOf[j]` = original offset of the character that produced folded unit `j`; null when identical offsets. */
  startOf: Int32Array | null;
  /** `endOf[j]` = original offset just after that character. */
  endOf: Int32Array | null;
}

/**
 * Folds `text` and keeps the way back: a match `[s, e)` in the folded text covers `[startOf[s], endOf[e-1])`
 * of the original. A match that covers part of a character's expansion covers the whole character.
 *
 * @example
 * const f = foldWithMap("xİy"); // f.folded === "xi\u0307y"; f.startOf = [0,1,1,2]; f.endOf = [1,2,2,3]
 */
export function foldWithMap(text: string): FoldedText {
  if (!needsSlowFold(text)) return { folded: foldCase(text), startOf: null, endOf: null };
  const table = bmpFoldTable();
  const parts: string[] = [];
  const startOf: number[] = [];
  const endOf: number[] = [];
  let run = "";
  for (let i = 0; i < text.length; ) {
    const unit = text.charCodeAt(i);
    if (unit === DOTTED_CAPITAL_I) {
      run += "i\u0307";
      startOf.push(i, i);
      endOf.push(i + 1, i + 1);
      i += 1;
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        const lower = text.slice(i, i + 2).toLowerCase();
        run += lower;
        startOf.push(i, i);
        endOf.push(i + 2, i + 2);
        i += 2;
      } else {
        run += text[i];
        startOf.push(i);
        endOf.push(i + 1);
        i += 1;
      }
    } else {
      run += String.fromCharCode(table[unit]!);
      startOf.push(i);
      endOf.push(i + 1);
      i += 1;
    }
    if (run.length > 4096) {
      parts.push(run);
      run = "";
    }
  }
  parts.push(run);
  const folded = parts.join("");
  return { folded, startOf: Int32Array.from(startOf), endOf: Int32Array.from(endOf) };
}
