/**
 * Knowledge-graph benchmark: thesaurus/automaton build time and matching throughput of our matcher, side by
 * side with `modern-ahocorasick` on the same patterns and the same text, for (1) the Terraphim fixture graph
 * over a few MB of its own markdown and (2) a generated 100k-term thesaurus over a generated multi-MB text.
 *
 * `modern-ahocorasick` is case-sensitive, so it gets the already-lowercased patterns and text (it does less
 * work than we do: we fold case on the fly). Its `leftmost-longest` strategy gives the same selection as
 * ours; the match counts are printed to show it. Its optional `TextMatcher` (Unicode case folding) was far
 * slower still, so the plain `AhoCorasick` class is the reference.
 *
 * modern-ahocorasick segments text into grapheme clusters, and on text with non-ASCII characters its search
 * time grows quadratically (measured: 20k chars 111 ms, 40k chars 406 ms), so a multi-MB run cannot finish.
 * The side-by-side rows therefore use ASCII text (the fixture markdown with non-ASCII characters replaced by
 * `?`); a separate line times both on the original, non-ASCII fixture text at small sizes.
 *
 * Run: `npx tsx bench/knowledge.ts` (or import and call runKnowledgeBench()).
 */
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import AhoCorasick from "modern-ahocorasick";
import { createMatcher } from "../src/knowledge/matcher.js";
import { buildThesaurusFromMarkdown, readMarkdownSources } from "../src/knowledge/markdown-builder.js";
import { type NormalizedTerm, Thesaurus } from "../src/knowledge/thesaurus.js";

// Works from bench/ (tsx) and from dist/bench/ (npm run bench).
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");
const FIXTURE_DIR = path.join(repoRoot, "test/fixtures/terraphim-kg");
const GENERATED_TERMS = 100_000;
const TEXT_CHARS = 4_000_000;
const MATCH_RUNS = 3;
const NON_ASCII_SIZES = [20_000, 40_000, 80_000];

export interface SideBySide {
  dataset: string;
  terms: number;
  textBytes: number;
  ours: { buildMs: number; mbPerS: number; matches: number };
  theirs: { buildMs: number; mbPerS: number; matches: number };
  /** ours / theirs matching throughput. */
  ratio: number;
}

/** Deterministic PRNG (mulberry32) so every run benchmarks the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 100k terms of 1-3 words from a 50k-word vocabulary, and a text of words from the same vocabulary. */
export function generatedData(termCount = GENERATED_TERMS, textChars = TEXT_CHARS): { thesaurus: Thesaurus; text: string } {
  const rnd = prng(42);
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const word = () => {
    let s = "";
    const n = 3 + Math.floor(rnd() * 8);
    for (let i = 0; i < n; i++) s += letters[Math.floor(rnd() * 26)];
    return s;
  };
  const vocab = Array.from({ length: 50_000 }, word);
  const pick = () => vocab[Math.floor(rnd() * vocab.length)]!;
  const terms = new Set<string>();
  while (terms.size < termCount) {
    const k = 1 + Math.floor(rnd() * 3);
    terms.add(Array.from({ length: k }, pick).join(" "));
  }
  const entries: [string, NormalizedTerm][] = [];
  let i = 0;
  for (const t of terms) entries.push([t, { id: 1 + (i++ % 5000), nterm: `concept ${i % 5000}`, url: null }]);
  const parts: string[] = [];
  let length = 0;
  while (length < textChars) {
    const w = pick();
    parts.push(w);
    length += w.length + 1;
  }
  return { thesaurus: new Thesaurus("generated", entries), text: parts.join(" ") };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

/** Build both matchers on one thesaurus and time matching the same text. */
export function compare(dataset: string, thesaurus: Thesaurus, text: string): SideBySide {
  const textBytes = Buffer.byteLength(text);
  const ours = time(() => createMatcher(thesaurus));
  const patterns = thesaurus.terms();
  const theirs = time(() => new AhoCorasick(patterns));
  const lower = text.toLowerCase();
  const ourRuns: number[] = [];
  const theirRuns: number[] = [];
  let ourMatches = 0;
  let theirMatches = 0;
  ours.value.find(lower.slice(0, 100_000)); // warm-up (JIT)
  theirs.value.search(lower.slice(0, 100_000), { strategy: "leftmost-longest" });
  for (let r = 0; r < MATCH_RUNS; r++) {
    const a = time(() => ours.value.find(lower));
    ourRuns.push(a.ms);
    ourMatches = a.value.length;
    const b = time(() => theirs.value.search(lower, { strategy: "leftmost-longest" }));
    theirRuns.push(b.ms);
    theirMatches = b.value.length;
  }
  const mbPerS = (ms: number) => textBytes / 1e6 / (ms / 1000);
  const ourRate = mbPerS(median(ourRuns));
  const theirRate = mbPerS(median(theirRuns));
  return {
    dataset,
    terms: patterns.length,
    textBytes,
    ours: { buildMs: ours.ms, mbPerS: ourRate, matches: ourMatches },
    theirs: { buildMs: theirs.ms, mbPerS: theirRate, matches: theirMatches },
    ratio: ourRate / theirRate,
  };
}

/** Both datasets, measured (no printing). */
export async function measureKnowledgeBench(): Promise<{
  rows: SideBySide[];
  markdownBuildMs: number;
  mixedCaseMbPerS: number;
  nonAscii: { chars: number; oursMs: number; theirsMs: number }[];
}> {
  const t0 = performance.now();
  const build = await buildThesaurusFromMarkdown(FIXTURE_DIR, { name: "fixture" });
  const markdownBuildMs = performance.now() - t0;
  const sources = await readMarkdownSources(FIXTURE_DIR);
  const corpus = sources.map((s) => s.content).join("\n");
  let fixtureText = "";
  while (fixtureText.length < TEXT_CHARS) fixtureText += `${corpus}\n`;
  const asciiFixtureText = fixtureText.replace(/[^\x00-\x7f]/g, "?");
  const rows = [compare("terraphim-kg fixture (ASCII)", build.thesaurus, asciiFixtureText)];
  const generated = generatedData();
  rows.push(compare("generated 100k terms", generated.thesaurus, generated.text));
  // Our matcher on the original mixed-case fixture text (what it really sees), for reference.
  const m = createMatcher(build.thesaurus);
  const runs = Array.from({ length: MATCH_RUNS }, () => time(() => m.find(fixtureText)).ms);
  const mixedCaseMbPerS = Buffer.byteLength(fixtureText) / 1e6 / (median(runs) / 1000);
  // Non-ASCII text: both matchers on the original fixture text at growing sizes.
  const theirs = new AhoCorasick(build.thesaurus.terms());
  const lower = fixtureText.toLowerCase();
  const nonAscii = NON_ASCII_SIZES.map((chars) => {
    const text = lower.slice(0, chars);
    return { chars, oursMs: time(() => m.find(text)).ms, theirsMs: time(() => theirs.search(text, { strategy: "leftmost-longest" })).ms };
  });
  return { rows, markdownBuildMs, mixedCaseMbPerS, nonAscii };
}

/**
 * Prints build time and MB/s for both datasets, ours next to modern-ahocorasick, and the ratio.
 *
 * @example
 * await runKnowledgeBench();
 */
export async function runKnowledgeBench(): Promise<void> {
  const { rows, markdownBuildMs, mixedCaseMbPerS, nonAscii } = await measureKnowledgeBench();
  const cpu = os.cpus()[0]?.model ?? "unknown cpu";
  console.log(`knowledge bench · node ${process.version} · ${os.cpus().length} × ${cpu} · load ${os.loadavg()[0]!.toFixed(1)}`);
  console.log(`fixture markdown -> thesaurus: ${markdownBuildMs.toFixed(1)} ms`);
  console.log(
    ["dataset", "terms", "text MB", "build ours ms", "build theirs ms", "ours MB/s", "theirs MB/s", "ratio", "matches ours/theirs"].join(" | "),
  );
  for (const r of rows) {
    console.log(
      [
        r.dataset,
        r.terms,
        (r.textBytes / 1e6).toFixed(2),
        r.ours.buildMs.toFixed(0),
        r.theirs.buildMs.toFixed(0),
        r.ours.mbPerS.toFixed(1),
        r.theirs.mbPerS.toFixed(2),
        `${r.ratio.toFixed(1)}x`,
        `${r.ours.matches}/${r.theirs.matches}`,
      ].join(" | "),
    );
  }
  console.log(`ours on the original mixed-case, non-ASCII fixture text: ${mixedCaseMbPerS.toFixed(1)} MB/s`);
  console.log("original (non-ASCII) fixture text, lowercased: chars | ours ms | theirs ms");
  for (const r of nonAscii) console.log(`  ${r.chars} | ${r.oursMs.toFixed(1)} | ${r.theirsMs.toFixed(0)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await runKnowledgeBench();
}
