import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { KnowledgeGraphError } from "../errors.js";
import { readSealed, writeSealed } from "../sealed-file.js";
import { buildThesaurusFromSources, readMarkdownSources, type TermConflict } from "./markdown-builder.js";
import type { SerializedAutomaton } from "./automaton-serial.js";
import { createMatcher, type Matcher } from "./matcher.js";
import { parseTerraphimJson, thesaurusFromTerraphimJson, toTerraphimJson } from "./terraphim-json.js";
import type { Thesaurus } from "./thesaurus.js";

/** A knowledge graph ready to use: thesaurus, what building it found, and a matcher over it. */
export interface LoadedKnowledgeGraph {
  name: string;
  /** The markdown folder or thesaurus JSON file it came from (absolute). */
  source: string;
  kind: "markdown" | "json";
  thesaurus: Thesaurus;
  conflicts: TermConflict[];
  /** Markdown files without a `synonyms::` line (empty for JSON sources). */
  filesWithoutSynonyms: string[];
  /** Leftmost-longest, case-insensitive, not whole-word. Build another with createMatcher for other options. */
  matcher: Matcher;
  /** True when the thesaurus came from the cache instead of being built. */
  fromCache: boolean;
  /** sha256 over the source's content (see {@link loadKnowledgeGraph}). */
  contentHash: string;
}

export interface LoadOptions {
  /** Where built thesauri are kept, sealed with the key in `cacheKeyFile` (sealed-file.ts); no caching without both. */
  cacheDir?: string;
  cacheKeyFile?: string;
  /** The thesaurus name (role); default: the folder name, or the JSON file's `name`. */
  name?: string;
}

/** Bumped whenever the builder's rules or the cache layout change, so old entries are never reused. */
const CACHE_FORMAT = "firebreak-kg-cache/3";

interface CacheEntry {
  format: string;
  contentHash: string;
  thesaurus: ReturnType<typeof toTerraphimJson>;
  conflicts: TermConflict[];
  filesWithoutSynonyms: string[];
  /** The matcher's automaton: building it is most of what loading a cached graph would still cost. */
  automaton?: SerializedAutomaton;
}

/**
 * Loads a knowledge graph from a markdown folder or a Terraphim thesaurus JSON file.
 *
 * Markdown folders are cached in `cacheDir` under `<sha256>.json`, where the hash covers the cache format,
 * the name and every markdown file's relative path and content (so adding, removing, renaming or editing a
 * file gives a new key; a stale entry is simply never read again). A corrupt cache entry is ignored and
 * rebuilt. Thesaurus JSON files are parsed directly (parsing is the build); `fromCache` is false for them.
 *
 * @example
 * const kg = await loadKnowledgeGraph("kg/default", { cacheDir: "/home/me/.cache/firebreak/kg", name: "default" });
 * kg.matcher.find("deploy to prod")
 */
export async function loadKnowledgeGraph(source: string, options: LoadOptions = {}): Promise<LoadedKnowledgeGraph> {
  const abs = path.resolve(source);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(abs);
  } catch (cause) {
    throw new KnowledgeGraphError("knowledge graph source not found (expected a markdown folder or a thesaurus .json)", { file: abs }, { cause });
  }
  if (info.isFile()) return loadJson(abs, options);
  if (!info.isDirectory()) throw new KnowledgeGraphError("not a folder or a file", { file: abs });

  const name = options.name ?? path.basename(abs);
  const sources = await readMarkdownSources(abs);
  const hash = createHash("sha256");
  hash.update(`${CACHE_FORMAT}\0${name}\0`);
  for (const s of sources) {
    hash.update(`${s.path}\0${Buffer.byteLength(s.content)}\0`);
    hash.update(s.content);
  }
  const contentHash = hash.digest("hex");

  const cache = options.cacheDir && options.cacheKeyFile ? { dir: options.cacheDir, keyFile: options.cacheKeyFile } : undefined;
  if (cache) {
    const cached = readCache(path.join(cache.dir, `${contentHash}.json`), cache.keyFile, contentHash, name);
    if (cached) {
      return {
        name,
        source: abs,
        kind: "markdown",
        thesaurus: cached.thesaurus,
        conflicts: cached.conflicts,
        filesWithoutSynonyms: cached.filesWithoutSynonyms,
        matcher: createMatcher(cached.thesaurus, { prebuilt: cached.automaton }),
        fromCache: true,
        contentHash,
      };
    }
  }
  const build = buildThesaurusFromSources(name, sources);
  const matcher = createMatcher(build.thesaurus);
  if (cache) {
    const entry: CacheEntry = {
      format: CACHE_FORMAT,
      contentHash,
      thesaurus: toTerraphimJson(build.thesaurus),
      conflicts: build.conflicts,
      filesWithoutSynonyms: build.filesWithoutSynonyms,
      automaton: matcher.serializeAutomaton(),
    };
    writeSealed(path.join(cache.dir, `${contentHash}.json`), cache.keyFile, JSON.stringify(entry)); // a failure to cache is not a failure to load
  }
  return {
    name,
    source: abs,
    kind: "markdown",
    thesaurus: build.thesaurus,
    conflicts: build.conflicts,
    filesWithoutSynonyms: build.filesWithoutSynonyms,
    matcher,
    fromCache: false,
    contentHash,
  };
}

async function loadJson(file: string, options: LoadOptions): Promise<LoadedKnowledgeGraph> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new KnowledgeGraphError("cannot read thesaurus file", { file }, { cause });
  }
  const { thesaurus, conflicts } = parseTerraphimJson(text, { file, name: options.name });
  return {
    name: thesaurus.name,
    source: file,
    kind: "json",
    thesaurus,
    conflicts,
    filesWithoutSynonyms: [],
    matcher: createMatcher(thesaurus),
    fromCache: false,
    contentHash: createHash("sha256").update(text).digest("hex"),
  };
}

function readCache(
  file: string,
  keyFile: string,
  contentHash: string,
  name: string,
): Pick<CacheEntry, "conflicts" | "filesWithoutSynonyms" | "automaton"> & { thesaurus: Thesaurus } | undefined {
  // Not verified (missing, unsealed, edited by someone without the key): rebuilt and overwritten rather than trusted.
  const text = readSealed(file, keyFile);
  if (text === undefined) return undefined;
  try {
    const entry = JSON.parse(text) as CacheEntry;
    if (entry.format !== CACHE_FORMAT || entry.contentHash !== contentHash) return undefined;
    if (!Array.isArray(entry.conflicts) || !Array.isArray(entry.filesWithoutSynonyms)) return undefined;
    const { thesaurus } = thesaurusFromTerraphimJson(entry.thesaurus, { file, name });
    return { thesaurus, conflicts: entry.conflicts, filesWithoutSynonyms: entry.filesWithoutSynonyms, automaton: entry.automaton };
  } catch {
    return undefined;
  }
}
