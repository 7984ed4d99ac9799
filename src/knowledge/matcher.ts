import { Automaton, type RawMatches } from "./automaton.js";
import { restoreAutomaton, type SerializedAutomaton, serializeAutomaton } from "./automaton-serial.js";
import { bmpFoldTable, bmpRuns, foldCase, foldWithMap, isAscii, needsSlowFold } from "./fold.js";
import type { Thesaurus } from "./thesaurus.js";

/** One match of a thesaurus term in a text. */
export interface KgMatch {
  /** The thesaurus term that matched (normalized). */
  term: string;
  /** Its concept. */
  concept: string;
  /** The concept's id in the thesaurus. */
  id: number;
  url: string | null;
  /** The matched text as written. */
  text: string;
  /** UTF-16 offsets into the text (`text.slice(start, end)`), end exclusive. */
  start: number;
  end: number;
  /** UTF-8 byte offsets into the text (`Buffer.from(text).subarray(byteStart, byteEnd)`). */
  byteStart: number;
  byteEnd: number;
}

/** Terraphim's link types for {@link Matcher.replace}. */
export type LinkType = "wiki" | "markdown" | "html" | "plain";

export interface MatcherOptions {
  /** Only matches not glued to letters, digits, marks or `_` on either side. Default false. */
  wholeWord?: boolean;
  /** The automaton of an earlier build of the same thesaurus (a cache); built again when it does not fit. */
  prebuilt?: SerializedAutomaton;
}

/** Finds thesaurus terms in text: leftmost-longest, case-insensitive, non-overlapping. */
export interface Matcher {
  /** Which implementation answers (the benchmark decided; see bench/knowledge.ts). */
  readonly engine: string;
  /** The built automaton as JSON, for a cache (see {@link MatcherOptions.prebuilt}). */
  serializeAutomaton(): SerializedAutomaton;
  readonly termCount: number;
  readonly wholeWord: boolean;
  /** The same terms over the same automaton, matching whole words only (or not): nothing is built again. */
  withWholeWord(wholeWord: boolean): Matcher;
  /** Matches in text order. */
  find(text: string): KgMatch[];
  /** Distinct concepts found in the text, in order of first appearance. */
  concepts(text: string): string[];
  /**
   * Replaces every match with its concept, as Terraphim's `replace_matches`: `plain` -> `concept`,
   * `wiki` -> `[[concept]]`, `markdown` -> `[concept](url)`, `html` -> `<a href="url">concept</a>`
   * (a missing url is empty; unlike Terraphim, html output is escaped).
   */
  replace(text: string, linkType: LinkType): string;
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;
const WORD_RUN = /[\p{L}\p{N}\p{M}_]+/gu;
let wordTable: Uint8Array | undefined;

export function bmpWordTable(): Uint8Array {
  if (wordTable) return wordTable;
  const table = new Uint8Array(0x10000);
  for (const { first, text } of bmpRuns()) {
    for (const m of text.matchAll(WORD_RUN)) table.fill(1, first + m.index, first + m.index + m[0].length);
  }
  wordTable = table;
  return table;
}

/** `bmpWordTable()` for the ASCII range alone: enough for an ASCII text. */
const ASCII_WORD_TABLE: Uint8Array = (() => {
  const table = new Uint8Array(0x80);
  for (let u = 0; u < 0x80; u++) table[u] = /[A-Za-z0-9_]/.test(String.fromCharCode(u)) ? 1 : 0;
  return table;
})();

/** Is the character covering code unit `i` of `s` a word character (letter, digit, mark, `_`)? */
function isWordAt(s: string, i: number, table: Uint8Array): boolean {
  const u = s.charCodeAt(i);
  if (u < 0xd800 || u > 0xdfff) return table[u] === 1;
  const at = u >= 0xdc00 && i > 0 ? i - 1 : i;
  const cp = s.codePointAt(at)!;
  return WORD_CHAR.test(String.fromCodePoint(cp));
}

/**
 * Builds a matcher over every term of a thesaurus (our own automaton: see automaton.ts).
 *
 * @example
 * const m = createMatcher(thesaurus);
 * m.find("we deploy with pnpm install today")[0] // { term: "pnpm install", concept: "bun install", start: 15, end: 27, ... }
 * m.replace("npm install", "wiki") // "[[bun install]]"
 */
export function createMatcher(thesaurus: Thesaurus, options: MatcherOptions = {}): Matcher {
  const entries = thesaurus.entries();
  // Terms that fold to the same string (e.g. differing only in a final sigma): the first in sorted order wins.
  const patterns: string[] = [];
  const patternEntry: number[] = [];
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const folded = foldCase(e.term);
    if (seen.has(folded)) return;
    seen.add(folded);
    patterns.push(folded);
    patternEntry.push(i);
  });
  const automaton = restoreAutomaton(options.prebuilt, patterns) ?? Automaton.build(patterns);
  // Raw text unit -> class of its fold, so unfolded text is scanned without building a folded copy: the ASCII part
  // now, the whole BMP the first time a text needs it.
  const asciiClass = new Uint16Array(0x80);
  for (let u = 0; u < 0x80; u++) asciiClass[u] = automaton.classOf[String.fromCharCode(u).toLowerCase().charCodeAt(0)]!;
  let rawClass: Uint16Array | undefined;
  const bmpClass = () => {
    if (rawClass) return rawClass;
    const fold = bmpFoldTable();
    rawClass = new Uint16Array(0x10000);
    for (let u = 0; u < 0x10000; u++) rawClass[u] = automaton.classOf[fold[u]!]!;
    return rawClass;
  };
  return matcherOver({ entries, patterns, patternEntry, automaton, asciiClass, bmpClass }, options.wholeWord === true);
}

/** What a matcher is built from; matchers that differ only in `wholeWord` share it. */
interface MatcherCore {
  entries: ReturnType<Thesaurus["entries"]>;
  patterns: string[];
  patternEntry: number[];
  automaton: Automaton;
  /** Unit -> class of its fold, for ASCII text. */
  asciiClass: Uint16Array;
  /** The same for every BMP unit (built on first use). */
  bmpClass: () => Uint16Array;
}

function matcherOver(core: MatcherCore, wholeWord: boolean): Matcher {
  const { entries, patterns, patternEntry, automaton, asciiClass, bmpClass } = core;
  const scan = (text: string): { raw: RawMatches; startOf: Int32Array | null; endOf: Int32Array | null } => {
    let haystack = text;
    const ascii = isAscii(text);
    let table: Uint16Array;
    let startOf: Int32Array | null = null;
    let endOf: Int32Array | null = null;
    if (ascii) table = asciiClass;
    else if (needsSlowFold(text)) {
      const f = foldWithMap(text);
      haystack = f.folded;
      table = automaton.classOf;
      startOf = f.startOf;
      endOf = f.endOf;
    } else table = bmpClass();
    if (!wholeWord) return { raw: automaton.findLeftmostLongest(haystack, table), startOf, endOf };
    const words = ascii ? ASCII_WORD_TABLE : bmpWordTable();
    const n = haystack.length;
    const startOk = (p: number) => p === 0 || !isWordAt(haystack, p - 1, words) || !isWordAt(haystack, p, words);
    const endOk = (e: number) => e === n || !isWordAt(haystack, e - 1, words) || !isWordAt(haystack, e, words);
    return { raw: automaton.findAnchoredLongest(haystack, table, startOk, endOk), startOf, endOf };
  };

  const find = (text: string): KgMatch[] => {
    const { raw, startOf, endOf } = scan(text);
    const matches: KgMatch[] = [];
    const bytes = new Utf8Offsets(text);
    for (let k = 0; k < raw.length; k += 3) {
      const entry = entries[patternEntry[raw[k]!]!]!;
      let start = raw[k + 1]!;
      let end = raw[k + 2]!;
      if (startOf && endOf) {
        start = startOf[start]!;
        end = endOf[end - 1]!;
      }
      matches.push({
        term: entry.term,
        concept: entry.nterm,
        id: entry.id,
        url: entry.url,
        text: text.slice(start, end),
        start,
        end,
        byteStart: bytes.at(start),
        byteEnd: bytes.at(end),
      });
    }
    return matches;
  };

  const matcher: Matcher = {
    engine: "firebreak-automaton",
    serializeAutomaton: () => serializeAutomaton(automaton, patterns),
    termCount: patterns.length,
    wholeWord,
    withWholeWord: (w) => (w === wholeWord ? matcher : matcherOver(core, w)),
    find,
    concepts(text) {
      return [...new Set(find(text).map((m) => m.concept))];
    },
    replace(text, linkType) {
      let out = "";
      let last = 0;
      for (const m of find(text)) {
        out += text.slice(last, m.start) + renderLink(m, linkType);
        last = m.end;
      }
      return out + text.slice(last);
    },
  };
  return matcher;
}

function renderLink(m: KgMatch, linkType: LinkType): string {
  const url = m.url ?? "";
  switch (linkType) {
    case "plain":
      return m.concept;
    case "wiki":
      return `[[${m.concept}]]`;
    case "markdown":
      return `[${m.concept}](${url})`;
    case "html":
      return `<a href="${escapeHtml(url)}">${escapeHtml(m.concept)}</a>`;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * UTF-16 offset -> UTF-8 byte offset, for increasing offsets (one pass over the text in total).
 * A lone surrogate counts 3 bytes, as it becomes U+FFFD when encoded.
 */
class Utf8Offsets {
  private char = 0;
  private byte = 0;
  constructor(private readonly text: string) {}

  at(offset: number): number {
    if (offset < this.char) {
      this.char = 0;
      this.byte = 0;
    }
    const t = this.text;
    let i = this.char;
    let b = this.byte;
    while (i < offset) {
      const u = t.charCodeAt(i);
      if (u < 0x80) b += 1;
      else if (u < 0x800) b += 2;
      else if (u >= 0xd800 && u <= 0xdbff && i + 1 < t.length && (t.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        // A pair counts 4 bytes at its high half; an offset never falls between the halves of a match.
        b += 4;
        i++;
      } else b += 3;
      i++;
    }
    this.char = i;
    this.byte = b;
    return b;
  }
}
