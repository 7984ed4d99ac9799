/**
 * Parsed definitions kept between processes. Parsing (YAML, schema, semantic checks) is most of what loading the
 * commands costs a short-lived CLI call; the same bytes always parse to the same definition, so a definition is
 * stored under the hash of its file's bytes, its path, layer and folder namespace, and this parser's build. Only
 * whole definitions are stored: a broken or skipped file is parsed again each time, and reports its error as before.
 *
 * The file lives in the user's state directory, sealed with a key from the configuration directory (sealed-file.ts):
 * someone who can write the state directory but not the configuration cannot plant a definition through it. A cache
 * that cannot be read, verified or written is ignored: it only ever saves time.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BUILD_ID } from "../build-id.js";
import { readSealed, writeSealed } from "../sealed-file.js";
import type { DefinitionWarning, ParseOptions, ParseOutcome } from "./parse.js";
import { compileTemplate } from "./template.js";
import type { CommandDefinition } from "./types.js";

/** Entries kept at most (the least recently stored go first): a cache, not an archive. */
const MAX_ENTRIES = 2000;
const CACHE_FILE = "definitions.json";

interface StoredEntry {
  definition: Omit<CommandDefinition, "template">;
  warnings: DefinitionWarning[];
}

interface StoredCache {
  build: string;
  entries: Record<string, StoredEntry>;
}

let buildId: string | undefined;

/** This parser's build: a changed parser (a new bundle, or an edited source file) never reads an old entry. */
function parserBuild(): string {
  if (buildId) return buildId;
  // Bundled: the build's id (build-id.ts), as the validated-config cache has it. Else this file's path and mtime.
  if (BUILD_ID !== undefined) {
    buildId = BUILD_ID;
    return buildId;
  }
  const self = fileURLToPath(import.meta.url);
  let stamp = "";
  try {
    stamp = String(fs.statSync(self).mtimeMs);
  } catch {
    // bundled somewhere unreadable: the path alone still names the build (bundle chunks carry a content hash)
  }
  buildId = `${self}:${stamp}`;
  return buildId;
}

/**
 * @example
 * const cache = new DefinitionCache(path.join(stateDir, "cache"), sealKeyFile(configDir));
 * const outcome = cache.parse(text, { file, layer: "bundled" }, parseDefinition);
 * cache.save();
 */
export class DefinitionCache {
  private entries: Record<string, StoredEntry> | undefined;
  private dirty = false;
  private readonly used = new Set<string>();

  constructor(
    readonly dir: string,
    /** The key that seals the cache file (in the configuration directory). */
    readonly keyFile: string,
  ) {}

  /** The outcome of parsing `text`: from the cache when these bytes were parsed before, else from `parse`. */
  parse(text: string, options: ParseOptions, parse: (text: string, options: ParseOptions) => ParseOutcome): ParseOutcome {
    const key = createHash("sha256")
      .update(JSON.stringify([parserBuild(), options.file, options.layer ?? null, options.folderNamespace ?? null]))
      .update("\0")
      .update(text)
      .digest("hex");
    this.used.add(key);
    const stored = this.load()[key];
    if (stored) {
      const revived = revive(stored);
      if (revived) return revived;
    }
    const outcome = parse(text, options);
    if (outcome.kind === "definition") {
      // Through JSON: the stored copy shares nothing with the live definition (and leaves its compiled template out).
      this.load()[key] = JSON.parse(JSON.stringify({ definition: outcome.definition, warnings: outcome.warnings })) as StoredEntry;
      this.dirty = true;
    }
    return outcome;
  }

  /** Writes new entries (atomically; entries of other projects are kept up to the cap). */
  save(): void {
    if (!this.dirty || !this.entries) return;
    this.dirty = false;
    const keys = Object.keys(this.entries);
    const keep = keys.length > MAX_ENTRIES ? [...keys.filter((k) => !this.used.has(k)).slice(keys.length - MAX_ENTRIES), ...this.used] : keys;
    const entries: Record<string, StoredEntry> = {};
    for (const k of keep) if (this.entries[k]) entries[k] = this.entries[k];
    writeSealed(path.join(this.dir, CACHE_FILE), this.keyFile, JSON.stringify({ build: parserBuild(), entries } satisfies StoredCache));
  }

  private load(): Record<string, StoredEntry> {
    if (this.entries) return this.entries;
    this.entries = {};
    const text = readSealed(path.join(this.dir, CACHE_FILE), this.keyFile);
    try {
      const stored = text === undefined ? undefined : (JSON.parse(text) as StoredCache);
      if (stored?.build === parserBuild() && stored.entries && typeof stored.entries === "object") this.entries = stored.entries;
    } catch {
      // not JSON: start empty
    }
    return this.entries;
  }
}

/** A stored definition as the parser returns it: a fresh object with its template compiled again. */
function revive(stored: StoredEntry): ParseOutcome | undefined {
  const definition = structuredClone(stored.definition) as CommandDefinition;
  if (definition?.source?.file === undefined) return undefined;
  if (definition.command !== undefined) {
    try {
      Object.defineProperty(definition, "template", { value: compileTemplate(definition.command), enumerable: false });
    } catch {
      return undefined; // the parser compiled it once: this entry is not what this build stored, so parse again
    }
  }
  return { kind: "definition", definition, warnings: structuredClone(stored.warnings) };
}
