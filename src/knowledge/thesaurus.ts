import { compareStrings } from "../compare.js";
import { normalizeTerm } from "./normalize.js";

/** What a term stands for: Terraphim's `NormalizedTerm` (`{"id", "nterm", "url"}` in the JSON form). */
export interface NormalizedTerm {
  /** The concept's id; every term of one concept carries the same id. */
  id: number;
  /** The concept (normalized). */
  nterm: string;
  /** Optional link target for `replace(..., "markdown" | "html")`. */
  url: string | null;
}

/** One term of a thesaurus with its concept. */
export interface ThesaurusEntry extends NormalizedTerm {
  term: string;
}

/**
 * An immutable map from normalized terms (synonyms and the concepts themselves) to their concept.
 * Iteration order is the sorted order of the terms, so everything derived from a thesaurus is deterministic.
 *
 * @example
 * const t = new Thesaurus("default", [["npm", { id: 1, nterm: "bun", url: null }]]);
 * t.lookup("NPM")?.nterm // "bun"
 */
export class Thesaurus {
  readonly name: string;
  readonly #terms: Map<string, NormalizedTerm>;
  #concepts: string[] | undefined;
  #conceptSet: Set<string> | undefined;

  /** Terms are normalized here; a later duplicate of a normalized term is ignored (builders resolve conflicts first). */
  constructor(name: string, entries: Iterable<readonly [string, NormalizedTerm]>) {
    this.name = name;
    const byTerm = new Map<string, NormalizedTerm>();
    for (const [raw, value] of entries) {
      const term = normalizeTerm(raw);
      if (term.length === 0 || byTerm.has(term)) continue;
      byTerm.set(term, { id: value.id, nterm: normalizeTerm(value.nterm), url: value.url ?? null });
    }
    // Default sort compares strings by UTF-16 code units, the same order as compareStrings, and is much faster.
    this.#terms = new Map();
    for (const term of [...byTerm.keys()].sort()) this.#terms.set(term, byTerm.get(term)!);
  }

  /** Number of terms (concepts included). */
  get size(): number {
    return this.#terms.size;
  }

  /** The entry for a term, after normalizing it; undefined when the term is unknown. */
  lookup(term: string): NormalizedTerm | undefined {
    return this.#terms.get(normalizeTerm(term));
  }

  /** All terms with their concepts, sorted by term. */
  entries(): ThesaurusEntry[] {
    return [...this.#terms].map(([term, v]) => ({ term, ...v }));
  }

  /** All terms, sorted. */
  terms(): string[] {
    return [...this.#terms.keys()];
  }

  /** The distinct concepts, sorted. */
  concepts(): string[] {
    this.#concepts ??= [...new Set([...this.#terms.values()].map((v) => v.nterm))].sort(compareStrings);
    return this.#concepts;
  }

  /** Terms that map to `concept` (normalized), sorted; the concept itself included when it is a term. */
  termsOf(concept: string): string[] {
    const c = normalizeTerm(concept);
    return [...this.#terms].filter(([, v]) => v.nterm === c).map(([t]) => t);
  }

  /** True when `concept` (normalized) is the concept of at least one term. */
  hasConcept(concept: string): boolean {
    this.#conceptSet ??= new Set(this.concepts());
    return this.#conceptSet.has(normalizeTerm(concept));
  }
}

export { compareStrings };
