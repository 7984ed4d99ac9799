import { z } from "zod";
import { KnowledgeGraphError } from "../errors.js";
import type { TermConflict } from "./markdown-builder.js";
import { normalizeTerm } from "./normalize.js";
import { type NormalizedTerm, Thesaurus } from "./thesaurus.js";
import { lazy } from "../lazy.js";

/**
 * Terraphim's JSON thesaurus: `{"name": role, "data": {term: {"id": n, "nterm": concept, "url": null}}}`.
 * Import accepts ids as numbers or numeric strings (older Terraphim files), a missing `url`, and extra fields
 * (ignored). Export writes terms in sorted order, so the same thesaurus always gives the same bytes.
 */

/** The JSON object Terraphim reads and writes. */
export interface TerraphimThesaurusJson {
  name: string;
  data: Record<string, { id: number; nterm: string; url: string | null }>;
}

const entrySchema = lazy(() =>
  z.looseObject({
    id: z.union([
      z.number().int().nonnegative(),
      z
        .string()
        .regex(/^\d+$/, "must be a non-negative integer")
        .transform((s) => Number(s)),
    ]),
    nterm: z.string().refine((s) => s.trim().length > 0, "must not be empty"),
    url: z.string().nullable().optional(),
  }),
);

/** The common, valid entry checked without zod (100k entries: zod alone took most of a second). */
function quickEntry(v: unknown): { id: number; nterm: string; url: string | null } | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const e = v as { id?: unknown; nterm?: unknown; url?: unknown };
  if (typeof e.id !== "number" || !Number.isInteger(e.id) || e.id < 0) return undefined;
  if (typeof e.nterm !== "string" || e.nterm.trim().length === 0) return undefined;
  if (e.url !== undefined && e.url !== null && typeof e.url !== "string") return undefined;
  return { id: e.id, nterm: e.nterm, url: (e.url as string | null | undefined) ?? null };
}

/** The name of a thesaurus whose top level is the usual `{ name, data: {...} }`, checked without zod. */
function quickHeader(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const { name, data } = raw as { name?: unknown; data?: unknown };
  return typeof name === "string" && typeof data === "object" && data !== null && !Array.isArray(data) ? name : undefined;
}

// `data` is checked entry by entry below: a record schema would copy keys into a plain object, where a
// term named `__proto__` would be lost.
const thesaurusSchema = lazy(() =>
  z.looseObject({
    name: z.string(),
    data: z.custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), "must be an object"),
  }),
);

function fail(file: string, error: z.ZodError, prefix: (string | number)[] = []): never {
  const issue = error.issues[0]!;
  const field = [...prefix, ...issue.path].map((p) => (typeof p === "number" ? `[${p}]` : String(p))).join(".");
  throw new KnowledgeGraphError(`not a Terraphim thesaurus: ${issue.message}`, { file, field: field || undefined }, { cause: error });
}

/** A thesaurus read from JSON, with the terms that collided after normalization. */
export interface ParsedThesaurusJson {
  thesaurus: Thesaurus;
  conflicts: TermConflict[];
}

/**
 * Parses Terraphim thesaurus JSON. Terms and concepts are normalized (trimmed, lowercased); when two keys
 * normalize to the same term with different concepts, the first key in sorted order wins and the clash is
 * reported as a conflict (with `file` = the source, `line` = 0).
 *
 * @example
 * const { thesaurus } = parseTerraphimJson('{"name":"r","data":{"npm":{"id":1,"nterm":"bun","url":null}}}');
 */
export function parseTerraphimJson(text: string, options: { file?: string; name?: string } = {}): ParsedThesaurusJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (cause) {
    throw new KnowledgeGraphError(`invalid JSON: ${(cause as Error).message}`, { file: options.file ?? "<thesaurus json>" }, { cause });
  }
  return thesaurusFromTerraphimJson(raw, options);
}

/**
 * The same from a thesaurus JSON document already parsed (a cache entry that holds one among other fields).
 *
 * @example
 * const { thesaurus } = thesaurusFromTerraphimJson(entry.thesaurus, { file });
 */
export function thesaurusFromTerraphimJson(raw: unknown, options: { file?: string; name?: string } = {}): ParsedThesaurusJson {
  const file = options.file ?? "<thesaurus json>";
  let name = quickHeader(raw);
  if (name === undefined) {
    // Anything else goes through the schema, which words the error.
    const parsed = thesaurusSchema().safeParse(raw);
    if (!parsed.success) fail(file, parsed.error);
    name = parsed.data.name;
  }
  const rawData = (raw as { data: Record<string, unknown> }).data;
  const byTerm = new Map<string, { key: string; value: NormalizedTerm }>();
  const conflicts = new Map<string, TermConflict>();
  const keys = Object.keys(rawData).sort(); // default sort = UTF-16 code-unit order, as compareStrings
  for (const key of keys) {
    let entry = quickEntry(rawData[key]);
    if (!entry) {
      // Unusual shapes (string ids) and errors go through the schema, which also words the error.
      const checked = entrySchema().safeParse(rawData[key]);
      if (!checked.success) fail(file, checked.error, ["data", key]);
      entry = { id: checked.data.id, nterm: checked.data.nterm, url: checked.data.url ?? null };
    }
    const term = normalizeTerm(key);
    if (!term) throw new KnowledgeGraphError("empty term", { file, field: `data.${JSON.stringify(key)}` });
    const value: NormalizedTerm = { id: entry.id, nterm: normalizeTerm(entry.nterm), url: entry.url ?? null };
    const first = byTerm.get(term);
    if (!first) {
      byTerm.set(term, { key, value });
      continue;
    }
    if (first.value.nterm === value.nterm) continue;
    const conflict = conflicts.get(term) ?? {
      term,
      winner: { concept: first.value.nterm, file, line: 0 },
      losers: [],
    };
    if (!conflict.losers.some((l) => l.concept === value.nterm)) conflict.losers.push({ concept: value.nterm, file, line: 0 });
    conflicts.set(term, conflict);
  }
  const thesaurus = new Thesaurus(
    options.name ?? name,
    [...byTerm].map(([term, { value }]) => [term, value] as const),
  );
  return { thesaurus, conflicts: [...conflicts.values()] };
}

/**
 * The JSON object of a thesaurus, terms sorted.
 *
 * @example
 * JSON.stringify(toTerraphimJson(thesaurus))
 */
export function toTerraphimJson(thesaurus: Thesaurus): TerraphimThesaurusJson {
  // A null prototype keeps a term named `__proto__` an ordinary key.
  const data: TerraphimThesaurusJson["data"] = Object.create(null);
  for (const e of thesaurus.entries()) data[e.term] = { id: e.id, nterm: e.nterm, url: e.url };
  return { name: thesaurus.name, data };
}

/** {@link toTerraphimJson} as pretty-printed text with a final newline. */
export function serializeThesaurus(thesaurus: Thesaurus): string {
  return `${JSON.stringify(toTerraphimJson(thesaurus), null, 2)}\n`;
}
