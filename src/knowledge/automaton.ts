/**
 * A leftmost-longest Aho-Corasick automaton over UTF-16 code units, stored in typed arrays.
 *
 * Layout (all indexed by state id; ids are assigned breadth-first, so shallow states have small ids):
 * - state 0 is DEAD (the search stops), state 1 is the root;
 * - the children of a state are consecutive ids `childStart[s] .. childStart[s+1]-1`, sorted by class,
 *   so a child's class is `nodeClass[child]` and no separate edge arrays are needed;
 * - states up to a depth chosen by size are *dense*: `dense[s*K + c]` is the full transition (failure
 *   links already followed); deeper states search their children and follow `fail`;
 * - alphabet compression: each code unit that occurs in a pattern gets a class 1..K-1, every other unit is 0.
 *
 * Leftmost semantics follow the Rust `aho-corasick` crate: a match state's failure link is DEAD, so once a
 * match is seen the automaton only continues while a longer match starting at the same or an earlier
 * position is still possible; the last match seen is then the leftmost-longest one.
 */

const DEAD = 0;
const ROOT = 1;
/**
 * Most transitions kept in the dense table (4 bytes each): 256 KiB, so that it stays in L2 cache. Measured on
 * 100k terms / 4 MB: dense to depth 2 (80 KiB) 219 ms, depth 3 (1.9 MiB) 299 ms, depth 4 (6.5 MiB) 461 ms.
 */
const DENSE_ENTRIES_MAX = 1 << 16;
/** Deepest level made dense even when the budget would allow more (deeper states are rarely hot). */
const DENSE_DEPTH_MAX = 4;
/** Above this many children a sparse state is searched by bisection instead of a linear scan. */
const LINEAR_SCAN_MAX = 8;

/** Match triples in a flat array: `[pattern, start, end, pattern, start, end, ...]` (code-unit offsets). */
export type RawMatches = number[];

/**
 * Builds and runs the automaton. Patterns are already case-folded, non-empty strings; a pattern's index is
 * what matches report.
 *
 * @example
 * const a = Automaton.build(["he", "hers", "she"]);
 * a.findLeftmostLongest("ushers", a.classOf) // [2, 1, 4]  -> "she" at 1..4
 */
/** What an automaton is made of: its alphabet, its states' typed arrays and sizes. */
export interface AutomatonParts {
  classOf: Uint16Array;
  K: number;
  childStart: Int32Array;
  nodeClass: Uint16Array;
  fail: Int32Array;
  depth: Int32Array;
  own: Int32Array;
  out: Int32Array;
  dense: Int32Array;
  denseStateCount: number;
  patternLength: Int32Array;
}

export class Automaton {
  /** Folded code unit -> class (0 = in no pattern). */
  readonly classOf: Uint16Array;
  /** Number of classes, including class 0. */
  readonly K: number;
  readonly stateCount: number;
  readonly denseStateCount: number;
  readonly patternCount: number;
  private readonly childStart: Int32Array;
  private readonly nodeClass: Uint16Array;
  private readonly fail: Int32Array;
  private readonly depth: Int32Array;
  /** Pattern ending exactly at this state (anchored), or -1. */
  private readonly own: Int32Array;
  /** Pattern reported when reaching this state in an unanchored search (own, else the longest suffix's), or -1. */
  private readonly out: Int32Array;
  private readonly dense: Int32Array;
  private readonly patternLength: Int32Array;

  private constructor(parts: AutomatonParts) {
    this.classOf = parts.classOf;
    this.K = parts.K;
    this.childStart = parts.childStart;
    this.nodeClass = parts.nodeClass;
    this.fail = parts.fail;
    this.depth = parts.depth;
    this.own = parts.own;
    this.out = parts.out;
    this.dense = parts.dense;
    this.denseStateCount = parts.denseStateCount;
    this.patternLength = parts.patternLength;
    this.stateCount = parts.fail.length;
    this.patternCount = parts.patternLength.length;
  }

  /** `maxDenseDepth` caps the dense levels (default {@link DENSE_DEPTH_MAX}); tests use 0 to exercise sparse states. */
  static build(patterns: readonly string[], options: { maxDenseDepth?: number } = {}): Automaton {
    const maxDenseDepth = options.maxDenseDepth ?? DENSE_DEPTH_MAX;
    // Alphabet: classes in ascending code-unit order, so sorted patterns create children in class order.
    const used = new Uint8Array(0x10000);
    let totalUnits = 0;
    let maxLength = 0;
    for (const p of patterns) {
      if (p.length === 0) throw new RangeError("empty pattern");
      totalUnits += p.length;
      if (p.length > maxLength) maxLength = p.length;
      for (let i = 0; i < p.length; i++) used[p.charCodeAt(i)] = 1;
    }
    const classOf = new Uint16Array(0x10000);
    let K = 1;
    for (let u = 0; u < 0x10000; u++) if (used[u]) classOf[u] = K++;

    // Trie in creation ids (0 = root), built from sorted patterns: each one shares its longest common
    // prefix with the previous one and appends the rest.
    const order = patterns.map((_, i) => i).sort((a, b) => (patterns[a]! < patterns[b]! ? -1 : patterns[a]! > patterns[b]! ? 1 : a - b));
    const maxNodes = totalUnits + 1;
    const parent = new Int32Array(maxNodes);
    const cls = new Uint16Array(maxNodes);
    const terminal = new Int32Array(maxNodes).fill(-1);
    const childCount = new Int32Array(maxNodes);
    const stack = new Int32Array(maxLength + 1);
    let nodes = 1;
    let prev = "";
    for (const index of order) {
      const p = patterns[index]!;
      const limit = Math.min(p.length, prev.length);
      let lcp = 0;
      while (lcp < limit && p.charCodeAt(lcp) === prev.charCodeAt(lcp)) lcp++;
      for (let d = lcp; d < p.length; d++) {
        const n = nodes++;
        parent[n] = stack[d]!;
        cls[n] = classOf[p.charCodeAt(d)]!;
        childCount[stack[d]!]!++;
        stack[d + 1] = n;
      }
      const end = stack[p.length]!;
      if (terminal[end] === -1) terminal[end] = index;
      prev = p;
    }

    // Children lists in creation ids (creation order keeps each list sorted by class).
    const childListStart = new Int32Array(nodes + 1);
    for (let n = 0; n < nodes; n++) childListStart[n + 1] = childListStart[n]! + childCount[n]!;
    const cursor = childListStart.slice(0, nodes);
    const children = new Int32Array(Math.max(nodes - 1, 0));
    for (let n = 1; n < nodes; n++) children[cursor[parent[n]!]!++] = n;

    // Breadth-first renumbering: new id = 1 + BFS rank (0 is DEAD). Children of a state get consecutive ids.
    const S = nodes + 1;
    const bfs = new Int32Array(nodes);
    const childStart = new Int32Array(S + 1);
    const nodeClass = new Uint16Array(S);
    const depth = new Int32Array(S);
    const own = new Int32Array(S).fill(-1);
    const newParent = new Int32Array(S);
    bfs[0] = 0;
    let tail = 1;
    childStart[DEAD] = 2;
    for (let head = 0; head < nodes; head++) {
      const old = bfs[head]!;
      const id = head + 1;
      childStart[id] = tail + 1;
      own[id] = terminal[old]!;
      for (let j = childListStart[old]!; j < childListStart[old + 1]!; j++) {
        const child = children[j]!;
        const childId = tail + 1;
        bfs[tail++] = child;
        nodeClass[childId] = cls[child]!;
        depth[childId] = depth[id]! + 1;
        newParent[childId] = id;
      }
    }
    childStart[S] = S;

    // Failure links (breadth-first, so a state's fail is computed before its children need it).
    const fail = new Int32Array(S);
    const out = new Int32Array(S).fill(-1);
    fail[DEAD] = DEAD;
    fail[ROOT] = ROOT;
    const gotoChild = (s: number, c: number): number => {
      let lo = childStart[s]!;
      let hi = childStart[s + 1]! - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const mc = nodeClass[mid]!;
        if (mc === c) return mid;
        if (mc < c) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    };
    for (let s = 2; s < S; s++) {
      if (own[s]! >= 0) {
        fail[s] = DEAD;
        out[s] = own[s]!;
        continue;
      }
      const c = nodeClass[s]!;
      let f = fail[newParent[s]!]!;
      const p = newParent[s]!;
      let target: number;
      if (p === ROOT) target = ROOT;
      else {
        for (;;) {
          if (f === DEAD) {
            target = DEAD;
            break;
          }
          const t = gotoChild(f, c);
          if (t >= 0) {
            target = t;
            break;
          }
          if (f === ROOT) {
            target = ROOT;
            break;
          }
          f = fail[f]!;
        }
      }
      fail[s] = target;
      out[s] = out[target]!;
    }

    // Dense rows for the shallowest states, within the budget.
    let denseStateCount = 2;
    for (let d = 1; d <= maxDenseDepth; d++) {
      let count = denseStateCount;
      while (count < S && depth[count]! <= d) count++;
      if (count * K > DENSE_ENTRIES_MAX) break;
      denseStateCount = count;
      if (count === S) break;
    }
    const dense = new Int32Array(denseStateCount * K);
    dense.fill(ROOT, ROOT * K, ROOT * K + K);
    for (let s = 1; s < denseStateCount; s++) {
      const row = s * K;
      if (s !== ROOT) {
        const f = fail[s]!;
        if (f !== DEAD) dense.copyWithin(row, f * K, f * K + K);
      }
      for (let child = childStart[s]!; child < childStart[s + 1]!; child++) dense[row + nodeClass[child]!] = child;
    }

    const patternLength = Int32Array.from(patterns, (p) => p.length);
    return new Automaton({ classOf, K, childStart, nodeClass, fail, depth, own, out, dense, denseStateCount, patternLength });
  }

  /** The typed arrays and sizes the automaton is made of (for automaton-serial.ts). */
  parts(): AutomatonParts {
    const { classOf, K, childStart, nodeClass, fail, depth, own, out, dense, denseStateCount, patternLength } = this;
    return { classOf, K, childStart, nodeClass, fail, depth, own, out, dense, denseStateCount, patternLength };
  }

  /** An automaton from parts that `parts()` gave (automaton-serial.ts checks them first). */
  static fromParts(parts: AutomatonParts): Automaton {
    return new Automaton(parts);
  }

  /**
   * Non-overlapping leftmost-longest matches of the patterns in `text`. `unitClass` maps a code unit of
   * `text` to its class: `classOf` for already-folded text, or a table that folds on the fly.
   */
  findLeftmostLongest(text: string, unitClass: Uint16Array): RawMatches {
    const { dense, K, denseStateCount, childStart, nodeClass, fail, out, patternLength } = this;
    const result: RawMatches = [];
    const n = text.length;
    let pos = 0;
    while (pos < n) {
      let s = ROOT;
      let lastPattern = -1;
      let lastEnd = 0;
      let i = pos;
      for (; i < n; i++) {
        const c = unitClass[text.charCodeAt(i)]!;
        for (;;) {
          if (s < denseStateCount) {
            s = dense[s * K + c]!;
            break;
          }
          const lo = childStart[s]!;
          const hi = childStart[s + 1]!;
          let next = -1;
          if (hi - lo <= LINEAR_SCAN_MAX) {
            for (let j = lo; j < hi; j++) {
              const jc = nodeClass[j]!;
              if (jc === c) {
                next = j;
                break;
              }
              if (jc > c) break;
            }
          } else {
            next = bisect(nodeClass, lo, hi - 1, c);
          }
          if (next >= 0) {
            s = next;
            break;
          }
          s = fail[s]!;
        }
        if (s === DEAD) break;
        const o = out[s]!;
        if (o >= 0) {
          lastPattern = o;
          lastEnd = i + 1;
        }
      }
      if (lastPattern < 0) break;
      result.push(lastPattern, lastEnd - patternLength[lastPattern]!, lastEnd);
      pos = lastEnd;
    }
    return result;
  }

  /**
   * Leftmost-longest matches that start where `startOk(pos)` and end where `endOk(end)` (whole-word mode):
   * from each allowed start, the trie is walked without failure links and the longest allowed match wins.
   */
  findAnchoredLongest(
    text: string,
    unitClass: Uint16Array,
    startOk: (pos: number) => boolean,
    endOk: (end: number) => boolean,
  ): RawMatches {
    const { dense, K, denseStateCount, childStart, nodeClass, own, depth } = this;
    const result: RawMatches = [];
    const n = text.length;
    let pos = 0;
    while (pos < n) {
      if (!startOk(pos)) {
        pos++;
        continue;
      }
      let s = ROOT;
      let best = -1;
      let bestEnd = 0;
      for (let i = pos; i < n; i++) {
        const c = unitClass[text.charCodeAt(i)]!;
        if (c === 0) break;
        let next: number;
        if (s < denseStateCount) {
          const t = dense[s * K + c]!;
          next = depth[t] === depth[s]! + 1 ? t : -1;
        } else {
          next = bisect(nodeClass, childStart[s]!, childStart[s + 1]! - 1, c);
        }
        if (next < 0) break;
        s = next;
        const o = own[s]!;
        if (o >= 0 && endOk(i + 1)) {
          best = o;
          bestEnd = i + 1;
        }
      }
      if (best >= 0) {
        result.push(best, pos, bestEnd);
        pos = bestEnd;
      } else pos++;
    }
    return result;
  }
}

function bisect(keys: Uint16Array, lo: number, hi: number, key: number): number {
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = keys[mid]!;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
