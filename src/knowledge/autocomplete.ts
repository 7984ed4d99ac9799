import { foldCase } from "./fold.js";
import { compareStrings, type Thesaurus } from "./thesaurus.js";

/** One autocomplete suggestion. */
export interface Suggestion {
  term: string;
  concept: string;
  /** 1 for an exact match; prefix matches in (0.5, 1); fuzzy matches their Jaro-Winkler similarity scaled below 0.5. */
  score: number;
  kind: "exact" | "prefix" | "fuzzy";
}

export interface SuggestOptions {
  /** Most suggestions returned. Default 10. */
  limit?: number;
  /** Add fuzzy (Jaro-Winkler) matches when prefix matches do not fill the limit. Default true. */
  fuzzy?: boolean;
  /** Lowest Jaro-Winkler similarity for a fuzzy match. Default 0.8. */
  minSimilarity?: number;
}

const DEFAULT_LIMIT = 10;
const DEFAULT_MIN_SIMILARITY = 0.8;

/** Terms searchable by prefix and by similarity. */
export interface Autocomplete {
  suggest(query: string, options?: SuggestOptions): Suggestion[];
}

/**
 * Autocomplete over the terms of a thesaurus. Ranking: the exact term first; then terms that start with
 * the query, shortest first (score = query length / term length, then alphabetical); then, if room is
 * left, other terms by Jaro-Winkler similarity to the query (against the whole term and against the
 * term's prefix of the query's length, whichever is higher), highest first. Case-insensitive.
 *
 * @example
 * createAutocomplete(thesaurus).suggest("pn") // [{ term: "pnpm", concept: "bun", kind: "prefix", ... }, { term: "pnpm install", ... }]
 */
export function createAutocomplete(thesaurus: Thesaurus): Autocomplete {
  const entries = thesaurus
    .entries()
    .map((e) => ({ key: foldCase(e.term), term: e.term, concept: e.nterm }))
    .sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.term, b.term));
  const keys = entries.map((e) => e.key);

  return {
    suggest(query, options = {}) {
      const limit = options.limit ?? DEFAULT_LIMIT;
      const minSimilarity = options.minSimilarity ?? DEFAULT_MIN_SIMILARITY;
      const q = foldCase(query.trim());
      if (!q || limit <= 0) return [];
      const out: Suggestion[] = [];
      const taken = new Set<number>();
      let i = lowerBound(keys, q);
      const prefixed: { index: number; score: number }[] = [];
      for (; i < keys.length && keys[i]!.startsWith(q); i++) prefixed.push({ index: i, score: q.length / keys[i]!.length });
      prefixed.sort((a, b) => b.score - a.score || compareStrings(keys[a.index]!, keys[b.index]!));
      for (const p of prefixed) {
        const e = entries[p.index]!;
        const exact = e.key === q;
        out.push({ term: e.term, concept: e.concept, score: exact ? 1 : 0.5 + p.score / 2, kind: exact ? "exact" : "prefix" });
        taken.add(p.index);
      }
      if (out.length < limit && options.fuzzy !== false) {
        const fuzzy: { index: number; similarity: number }[] = [];
        keys.forEach((key, index) => {
          if (taken.has(index)) return;
          const similarity = Math.max(jaroWinkler(q, key), key.length > q.length ? jaroWinkler(q, key.slice(0, q.length)) : 0);
          if (similarity >= minSimilarity) fuzzy.push({ index, similarity });
        });
        fuzzy.sort((a, b) => b.similarity - a.similarity || compareStrings(keys[a.index]!, keys[b.index]!));
        for (const f of fuzzy.slice(0, limit - out.length)) {
          const e = entries[f.index]!;
          out.push({ term: e.term, concept: e.concept, score: f.similarity / 2, kind: "fuzzy" });
        }
      }
      return out.slice(0, limit);
    },
  };
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 prefix characters), over UTF-16 units.
 *
 * @example
 * jaroWinkler("martha", "marhta") // ≈ 0.961
 */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  if (!a.length || !b.length) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Uint8Array(a.length);
  const bMatched = new Uint8Array(b.length);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(b.length - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (bMatched[j] || a.charCodeAt(i) !== b.charCodeAt(j)) continue;
      aMatched[i] = 1;
      bMatched[j] = 1;
      matches++;
      break;
    }
  }
  if (!matches) return 0;
  let transpositions = 0;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[j]) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) transpositions++;
    j++;
  }
  const m = matches;
  const jaro = (m / a.length + m / b.length + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}
