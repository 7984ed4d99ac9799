/**
 * Validated configurations kept between processes. In a one-shot call such as `claude hook`, building the
 * configuration schema (zod itself and ~800 schema objects) and running it for the first time cost about as much
 * as the call's own work. The schema's output depends on nothing but the merged configuration (no environment, no
 * files), so an output is stored under the exact merged input and the build that validated it (build-id.ts), and
 * a later call with the same input and build takes it instead.
 *
 * Only an output that JSON gives back unchanged is stored (no dates, no undefined members): a stored copy is then
 * exactly what validation returns. What depends on more than the input (whether referenced files, programs and
 * knowledge graphs exist: config/references.ts) is checked on every load, hit or miss.
 *
 * The file lives in the user's state directory, sealed with the key in the configuration directory
 * (sealed-file.ts): someone who can write the state directory but not the configuration cannot plant a
 * configuration through it. A cache that cannot be read, verified or written only costs time.
 */
import { isDeepStrictEqual } from "node:util";
import { readSealed, writeSealed } from "../sealed-file.js";

/** Different inputs kept (projects with their own firebreak.toml, users' config versions); the newest first. */
const MAX_ENTRIES = 16;

interface StoredCache {
  build: string;
  entries: { input: string; output: unknown }[];
}

/**
 * @example
 * const cache = new ValidatedConfigCache(path.join(stateDir, "cache", "config.json"), sealKeyFile(configDir), BUILD_ID);
 * const input = JSON.stringify(merged);
 * const config = cache.get(input) ?? validateWithSchema(merged);
 */
export class ValidatedConfigCache {
  constructor(
    readonly file: string,
    /** The key that seals the cache file (in the configuration directory). */
    readonly keyFile: string,
    /** The running build: entries another build stored are never read. */
    readonly build: string,
  ) {}

  /** The output stored for exactly this input by this build, as a fresh object; undefined if there is none. */
  get(input: string): unknown {
    return this.read().find((entry) => entry.input === input)?.output;
  }

  /** Stores an output for an input (when JSON keeps it exactly); other inputs' entries are kept up to the cap. */
  set(input: string, output: unknown): void {
    const stored = JSON.stringify(output);
    if (!isDeepStrictEqual(JSON.parse(stored), output)) return;
    const entries = [{ input, output: JSON.parse(stored) as unknown }, ...this.read().filter((entry) => entry.input !== input)].slice(0, MAX_ENTRIES);
    writeSealed(this.file, this.keyFile, JSON.stringify({ build: this.build, entries } satisfies StoredCache));
  }

  private read(): StoredCache["entries"] {
    const text = readSealed(this.file, this.keyFile);
    if (text === undefined) return [];
    try {
      const stored = JSON.parse(text) as Partial<StoredCache>;
      if (stored.build !== this.build || !Array.isArray(stored.entries)) return [];
      return stored.entries.filter((entry) => typeof entry?.input === "string" && "output" in entry);
    } catch {
      return []; // not JSON: as if empty
    }
  }
}
