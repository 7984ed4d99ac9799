import { looseKey, normalizeTerm } from "./normalize.js";
import { compareStrings, type Thesaurus } from "./thesaurus.js";

/** A required concept that the thesaurus knows. */
export interface MatchedConcept {
  /** The entry as the command wrote it. */
  required: string;
  /** The concept it resolved to. */
  concept: string;
  /** The thesaurus term that resolved it (the concept itself or a synonym). */
  term: string;
  /** How: the concept's own name, a synonym, or either of those after `_`/`-`/space folding. */
  via: "concept" | "synonym" | "loose";
}

/** The answer of {@link validateRequiredConcepts}. */
export interface ConceptValidation {
  matched: MatchedConcept[];
  /** Entries that resolve to nothing, as written. */
  missing: string[];
}

/**
 * Checks a command's `knowledge_graph_required` list against a thesaurus.
 *
 * Resolution rule, in order:
 * 1. the entry, normalized like the builder (trimmed, lowercased), is a concept -> `via: "concept"`;
 * 2. it is a term (synonym) of a concept -> `via: "synonym"`;
 * 3. its loose key (runs of spaces, `_` and `-` made one space: `continuous_integration`,
 *    `continuous-integration` and `continuous integration` are the same) equals the loose key of a concept
 *    (preferred) or of a term -> `via: "loose"`; among several, the first in sorted order wins.
 * Anything else (including an empty entry) is missing. Results keep the order of `required`.
 *
 * @example
 * validateRequiredConcepts(["deployment", "continuous integration", "kubernetes"], thesaurus)
 * // { matched: [{ required: "deployment", concept: "deployment", ... }, { required: "continuous integration",
 * //   concept: "continuous_integration", via: "synonym" or "loose", ... }], missing: ["kubernetes"] }
 */
export function validateRequiredConcepts(required: readonly string[], thesaurus: Thesaurus): ConceptValidation {
  const loose = looseIndex(thesaurus);
  const matched: MatchedConcept[] = [];
  const missing: string[] = [];
  for (const entry of required) {
    const n = normalizeTerm(entry);
    if (!n) {
      missing.push(entry);
      continue;
    }
    if (thesaurus.hasConcept(n)) {
      matched.push({ required: entry, concept: n, term: n, via: "concept" });
      continue;
    }
    const direct = thesaurus.lookup(n);
    if (direct) {
      matched.push({ required: entry, concept: direct.nterm, term: n, via: "synonym" });
      continue;
    }
    const hit = loose.get(looseKey(n));
    if (hit) matched.push({ required: entry, concept: hit.concept, term: hit.term, via: "loose" });
    else missing.push(entry);
  }
  return { matched, missing };
}

const looseCache = new WeakMap<Thesaurus, Map<string, { concept: string; term: string }>>();

function looseIndex(thesaurus: Thesaurus): Map<string, { concept: string; term: string }> {
  const cached = looseCache.get(thesaurus);
  if (cached) return cached;
  const index = new Map<string, { concept: string; term: string }>();
  // Concepts first so that a concept's own name beats a synonym with the same loose key.
  for (const concept of thesaurus.concepts()) {
    const k = looseKey(concept);
    if (!index.has(k)) index.set(k, { concept, term: concept });
  }
  for (const e of thesaurus.entries().sort((a, b) => compareStrings(a.term, b.term))) {
    const k = looseKey(e.term);
    if (!index.has(k)) index.set(k, { concept: e.nterm, term: e.term });
  }
  looseCache.set(thesaurus, index);
  return index;
}
