import type { Matcher } from "./matcher.js";
import { normalizeTerm } from "./normalize.js";
import { compareStrings, type Thesaurus } from "./thesaurus.js";

/** A concept in the role graph: how many documents mention it and how often. */
export interface RoleGraphNode {
  concept: string;
  /** Documents that mention the concept (Terraphim's node rank). */
  documents: number;
  /** Mentions over all documents. */
  occurrences: number;
}

/** An undirected edge between two concepts that were matched one after the other. */
export interface RoleGraphEdge {
  a: string;
  b: string;
  /** How many times the two concepts were consecutive matches, over all documents. */
  weight: number;
  /** Ids of the documents where they were. */
  documents: string[];
}

/** The answer of {@link RoleGraph.connectivity}. */
export interface Connectivity {
  /** True when every concept is known and all are in one connected component. */
  connected: boolean;
  /** Inputs that are neither a concept nor a term of the thesaurus. */
  unknown: string[];
  /** The resolved concepts grouped by connected component (each group sorted; groups by first member). */
  components: string[][];
}

/**
 * Concept co-occurrence graph of a role (Terraphim's RoleGraph): indexing a document matches its text and
 * joins each pair of consecutive matched concepts with an edge (weight +1 per occurrence; a concept
 * followed by itself adds no edge). `connected(concepts)` asks whether the concepts are joined by paths.
 *
 * @example
 * const g = new RoleGraph(thesaurus, matcher);
 * g.indexDocument("README", "deploy to production after the ci pipeline passes");
 * g.connected(["deployment", "continuous_integration"]) // true
 */
export class RoleGraph {
  readonly #thesaurus: Thesaurus;
  readonly #matcher: Matcher;
  readonly #nodes = new Map<string, RoleGraphNode>();
  readonly #adjacency = new Map<string, Map<string, { weight: number; documents: Set<string> }>>();
  readonly #documents = new Map<string, string[]>();

  constructor(thesaurus: Thesaurus, matcher: Matcher) {
    this.#thesaurus = thesaurus;
    this.#matcher = matcher;
  }

  /**
   * A graph with documents already indexed (ids must be unique).
   *
   * @example
   * const g = RoleGraph.fromDocuments(kg.thesaurus, kg.matcher, sources.map((s) => ({ id: s.path, text: s.content })));
   */
  static fromDocuments(thesaurus: Thesaurus, matcher: Matcher, documents: Iterable<{ id: string; text: string }>): RoleGraph {
    const g = new RoleGraph(thesaurus, matcher);
    for (const d of documents) g.indexDocument(d.id, d.text);
    return g;
  }

  /** Number of indexed documents. */
  get documentCount(): number {
    return this.#documents.size;
  }

  /**
   * Matches the text and adds its concepts and consecutive-concept edges. Indexing the same id again
   * replaces nothing: ids are expected to be unique (a repeated id is rejected).
   * Returns the concepts in the order they were matched.
   */
  indexDocument(id: string, text: string): string[] {
    if (this.#documents.has(id)) throw new RangeError(`document '${id}' is already indexed`);
    const sequence = this.#matcher.find(text).map((m) => m.concept);
    this.#documents.set(id, sequence);
    const counts = new Map<string, number>();
    for (const c of sequence) counts.set(c, (counts.get(c) ?? 0) + 1);
    for (const [concept, n] of counts) {
      const node = this.#nodes.get(concept) ?? { concept, documents: 0, occurrences: 0 };
      node.documents += 1;
      node.occurrences += n;
      this.#nodes.set(concept, node);
    }
    for (let i = 1; i < sequence.length; i++) {
      const a = sequence[i - 1]!;
      const b = sequence[i]!;
      if (a === b) continue;
      this.#bump(a, b, id);
      this.#bump(b, a, id);
    }
    return sequence;
  }

  #bump(from: string, to: string, doc: string): void {
    const row = this.#adjacency.get(from) ?? new Map<string, { weight: number; documents: Set<string> }>();
    this.#adjacency.set(from, row);
    const edge = row.get(to) ?? { weight: 0, documents: new Set<string>() };
    edge.weight += 1;
    edge.documents.add(doc);
    row.set(to, edge);
  }

  /** All concepts seen in documents, sorted. */
  nodes(): RoleGraphNode[] {
    return [...this.#nodes.values()].sort((x, y) => compareStrings(x.concept, y.concept)).map((n) => ({ ...n }));
  }

  /** All edges once each (`a` < `b`), sorted. */
  edges(): RoleGraphEdge[] {
    const out: RoleGraphEdge[] = [];
    for (const [a, row] of this.#adjacency) {
      for (const [b, e] of row) if (a < b) out.push({ a, b, weight: e.weight, documents: [...e.documents].sort(compareStrings) });
    }
    return out.sort((x, y) => compareStrings(x.a, y.a) || compareStrings(x.b, y.b));
  }

  /** The edge between two concepts (or terms), if any. */
  edge(a: string, b: string): RoleGraphEdge | undefined {
    const ca = this.resolve(a);
    const cb = this.resolve(b);
    if (!ca || !cb) return undefined;
    const e = this.#adjacency.get(ca)?.get(cb);
    if (!e) return undefined;
    const [x, y] = ca < cb ? [ca, cb] : [cb, ca];
    return { a: x, b: y, weight: e.weight, documents: [...e.documents].sort(compareStrings) };
  }

  /** Neighbouring concepts with edge weights, heaviest first. */
  neighbours(concept: string): { concept: string; weight: number }[] {
    const c = this.resolve(concept);
    const row = c ? this.#adjacency.get(c) : undefined;
    if (!row) return [];
    return [...row]
      .map(([n, e]) => ({ concept: n, weight: e.weight }))
      .sort((x, y) => y.weight - x.weight || compareStrings(x.concept, y.concept));
  }

  /**
   * The concept an input names: a concept of the thesaurus, or a term (synonym) of one. Undefined otherwise.
   * A concept that no document mentioned still resolves (it is an isolated node).
   */
  resolve(input: string): string | undefined {
    const n = normalizeTerm(input);
    if (this.#thesaurus.hasConcept(n)) return n;
    return this.#thesaurus.lookup(n)?.nterm;
  }

  /** True when every concept is known and they are all joined by paths (fewer than two concepts: known). */
  connected(concepts: readonly string[]): boolean {
    return this.connectivity(concepts).connected;
  }

  /** {@link connected} with the details: unknown inputs and the components the concepts fall into. */
  connectivity(concepts: readonly string[]): Connectivity {
    const unknown: string[] = [];
    const targets: string[] = [];
    for (const input of concepts) {
      const c = this.resolve(input);
      if (c === undefined) unknown.push(input);
      else if (!targets.includes(c)) targets.push(c);
    }
    const componentOf = new Map<string, number>();
    const components: string[][] = [];
    for (const t of targets) {
      if (componentOf.has(t)) continue;
      const id = components.length;
      const reach = this.#reachable(t);
      const group = targets.filter((x) => reach.has(x));
      for (const x of group) componentOf.set(x, id);
      components.push(group.sort(compareStrings));
    }
    return { connected: unknown.length === 0 && components.length <= 1, unknown, components };
  }

  #reachable(start: string): Set<string> {
    const seen = new Set([start]);
    const queue = [start];
    while (queue.length) {
      const c = queue.pop()!;
      for (const n of this.#adjacency.get(c)?.keys() ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          queue.push(n);
        }
      }
    }
    return seen;
  }
}
