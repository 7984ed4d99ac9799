import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { KnowledgeGraphError } from "../errors.js";
import { normalizeTerm } from "./normalize.js";
import { compareStrings, type NormalizedTerm, Thesaurus } from "./thesaurus.js";

/**
 * Thesaurus from a folder of markdown files, Terraphim's Logseq rules:
 *
 * - every `*.md` file at any depth is read (hidden files and folders, symlinks and `*.md.old` are not);
 * - concept = the file name without `.md`, trimmed and lowercased (`bun install.md` -> `bun install`);
 * - a line whose text, after leading whitespace, starts with `synonyms::` adds each comma-separated item
 *   (trimmed, lowercased, empty items dropped) as a term of that concept — also inside code fences, as
 *   Terraphim does; `[example] synonyms::` or `- synonyms::` are not such lines;
 * - the concept maps to itself — only when its file has at least one `synonyms::` line (a file without one
 *   contributes nothing, as in Terraphim; it is listed in `filesWithoutSynonyms`);
 * - several files with the same stem add to the same concept.
 *
 * Conflicts (one term claimed by different concepts) are resolved deterministically and reported:
 * 1. a concept's own name always maps to that concept;
 * 2. otherwise the first claim wins, in order of the files' relative paths (`/`-separated, compared by
 *    UTF-16 code units) and then of lines within a file.
 * Concept ids are 1..n in sorted concept order, so the same files always give the same ids.
 */

/** One concept that claimed a term, and the file where it first did. */
export interface TermClaim {
  concept: string;
  file: string;
  line: number;
}

/** A term claimed by more than one concept: who got it and who did not. */
export interface TermConflict {
  term: string;
  winner: TermClaim;
  losers: TermClaim[];
}

/** A thesaurus and what building it found. */
export interface ThesaurusBuild {
  thesaurus: Thesaurus;
  conflicts: TermConflict[];
  /** Relative paths of the markdown files read, sorted. */
  files: string[];
  /** Relative paths of files with no `synonyms::` line (they add no concept). */
  filesWithoutSynonyms: string[];
}

/** One markdown file: its path relative to the graph folder (`/`-separated) and its text. */
export interface MarkdownSource {
  path: string;
  content: string;
}

const SYNONYMS_KEYWORD = "synonyms";
const KEY_VALUE_DELIMITER = "::";

/**
 * Reads every markdown file of a graph folder, sorted by relative path.
 *
 * @example
 * const sources = await readMarkdownSources("kg/default");
 */
export async function readMarkdownSources(dir: string): Promise<MarkdownSource[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dir);
  } catch (cause) {
    throw new KnowledgeGraphError("knowledge graph folder not found", { file: dir }, { cause });
  }
  if (!info.isDirectory()) throw new KnowledgeGraphError("not a folder of markdown files", { file: dir });
  const relPaths: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(childRel);
      else if (e.isFile() && e.name.toLowerCase().endsWith(".md")) relPaths.push(childRel);
    }
  };
  await walk("");
  relPaths.sort(compareStrings);
  return Promise.all(
    relPaths.map(async (rel) => {
      try {
        return { path: rel, content: await readFile(path.join(dir, rel), "utf8") };
      } catch (cause) {
        throw new KnowledgeGraphError("cannot read knowledge graph file", { file: path.join(dir, rel) }, { cause });
      }
    }),
  );
}

/**
 * Builds a thesaurus from a markdown folder (rules above).
 *
 * @example
 * const { thesaurus, conflicts } = await buildThesaurusFromMarkdown("test/fixtures/terraphim-kg", { name: "engineer" });
 * thesaurus.lookup("pnpm")?.nterm // "bun"
 */
export async function buildThesaurusFromMarkdown(dir: string, options: { name?: string } = {}): Promise<ThesaurusBuild> {
  const sources = await readMarkdownSources(dir);
  return buildThesaurusFromSources(options.name ?? path.basename(path.resolve(dir)), sources);
}

/** The concept a markdown file defines: its name without `.md`, trimmed and lowercased. */
export function conceptFromPath(relPath: string): string {
  const base = relPath.slice(relPath.lastIndexOf("/") + 1);
  return normalizeTerm(base.replace(/\.md$/i, ""));
}

/** The items of a `synonyms::` line, or undefined when the line is not one. */
export function parseSynonymsLine(line: string): string[] | undefined {
  const trimmed = line.trimStart();
  const at = trimmed.indexOf(KEY_VALUE_DELIMITER);
  if (at < 0 || trimmed.slice(0, at) !== SYNONYMS_KEYWORD) return undefined;
  return trimmed
    .slice(at + KEY_VALUE_DELIMITER.length)
    .split(",")
    .map(normalizeTerm)
    .filter((s) => s.length > 0);
}

interface Claim extends TermClaim {
  /** 0 = the concept's own name, 1 = a synonym. */
  priority: number;
  order: number;
}

/**
 * The pure part of {@link buildThesaurusFromMarkdown}: sources in, thesaurus and conflicts out.
 * Sources may come in any order; they are sorted by path first.
 */
export function buildThesaurusFromSources(name: string, sources: readonly MarkdownSource[]): ThesaurusBuild {
  const sorted = [...sources].sort((a, b) => compareStrings(a.path, b.path));
  const claims = new Map<string, Claim[]>();
  const filesWithoutSynonyms: string[] = [];
  let order = 0;
  const claim = (term: string, c: Omit<Claim, "order">) => {
    const list = claims.get(term) ?? [];
    list.push({ ...c, order: order++ });
    claims.set(term, list);
  };
  for (const source of sorted) {
    const concept = conceptFromPath(source.path);
    if (!concept) continue;
    const lines = source.content.replace(/^\uFEFF/, "").split(/\r?\n/);
    let found = false;
    lines.forEach((line, index) => {
      const items = parseSynonymsLine(line);
      if (!items) return;
      if (!found) claim(concept, { concept, file: source.path, line: index + 1, priority: 0 });
      found = true;
      for (const term of items) claim(term, { concept, file: source.path, line: index + 1, priority: 1 });
    });
    if (!found) filesWithoutSynonyms.push(source.path);
  }

  const winners = new Map<string, string>();
  const conflicts: TermConflict[] = [];
  for (const [term, list] of claims) {
    list.sort((a, b) => a.priority - b.priority || a.order - b.order);
    const winner = list[0]!;
    winners.set(term, winner.concept);
    const losers: TermClaim[] = [];
    const seen = new Set([winner.concept]);
    for (const c of list) {
      if (seen.has(c.concept)) continue;
      seen.add(c.concept);
      losers.push({ concept: c.concept, file: c.file, line: c.line });
    }
    if (losers.length) {
      conflicts.push({ term, winner: { concept: winner.concept, file: winner.file, line: winner.line }, losers });
    }
  }
  conflicts.sort((a, b) => compareStrings(a.term, b.term));

  const conceptIds = new Map([...new Set(winners.values())].sort(compareStrings).map((c, i) => [c, i + 1] as const));
  const entries: [string, NormalizedTerm][] = [...winners].map(([term, concept]) => [
    term,
    { id: conceptIds.get(concept)!, nterm: concept, url: null },
  ]);
  return {
    thesaurus: new Thesaurus(name, entries),
    conflicts,
    files: sorted.map((s) => s.path),
    filesWithoutSynonyms,
  };
}
