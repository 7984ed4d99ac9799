import fs from "node:fs";
import path from "node:path";
import { compareStrings } from "../compare.js";
import { ConfigError, DefinitionError } from "../errors.js";
import type { DefinitionCache } from "./parse-cache.js";
import { checkDefinitionSize, type DefinitionWarning, decodeDefinition, parseDefinition, qualify } from "./parse.js";
import type { CommandDefinition, CommandLayer } from "./types.js";

/** One folder of definitions. Layers are given lowest precedence first. */
export interface RegistryLayer {
  layer: CommandLayer;
  dir: string;
  /**
   * Decides whether a file of this layer may be used: returns why not (e.g. the project's files are not trusted),
   * or undefined. A refused file is parsed only to name what it would define; it is never served.
   */
  gate?: (file: string, text: string) => string | undefined;
}

/** A name or alias of a lower layer taken over by a higher one. */
export interface RegistryShadowing {
  key: string;
  /** The definition now served under `key`. */
  winner: { file: string; layer: CommandLayer; name: string };
  /** The definition it hides. */
  hidden: { file: string; layer: CommandLayer; name: string };
}

/** A file the layer's gate refused, with the names it would have defined. */
export interface RegistryRefusal {
  file: string;
  reason: string;
  names: string[];
}

export interface RegistryConflict {
  /** The name or alias defined twice. */
  key: string;
  layer: CommandLayer;
  /** The file whose definition is used. */
  winner: string;
  /** The file whose definition is ignored for this key. */
  loser: string;
}

export interface RegistryReport {
  definitions: CommandDefinition[];
  errors: DefinitionError[];
  warnings: DefinitionWarning[];
  notices: string[];
  conflicts: RegistryConflict[];
  /** Files that are broken now but still served from their last good version. */
  stale: string[];
  /** Names and aliases of one layer taken over by a higher layer (reported by `commands check`, stated on run). */
  shadowed: RegistryShadowing[];
  /** Files refused by their layer's gate (untrusted project command files). */
  refused: RegistryRefusal[];
}

interface FileState {
  layer: RegistryLayer;
  lastGood?: CommandDefinition;
  warnings: DefinitionWarning[];
  error?: DefinitionError;
  notice?: string;
  refusal?: RegistryRefusal;
}

const emptyReport = (): RegistryReport => ({ definitions: [], errors: [], warnings: [], notices: [], conflicts: [], stale: [], shadowed: [], refused: [] });

const LAYER_RANK: Record<CommandLayer, number> = { bundled: 0, user: 1, extra: 2, project: 3 };

/**
 * The set of known commands: bundled < user < extra < project folders, namespaces from
 * sub-folders (`db/migrate.md` -> `db:migrate`), aliases, conflicts, and per-file reload that
 * keeps the last good version of a file that turns bad.
 *
 * @example
 * const registry = new CommandRegistry([{ layer: "bundled", dir: "commands" }]);
 * registry.loadAll();
 * registry.resolve("hello")?.name; // "hello-world" (an alias)
 */
export class CommandRegistry {
  private readonly files = new Map<string, FileState>();
  private index = new Map<string, CommandDefinition>();
  private report: RegistryReport = emptyReport();
  /** Names defined only by refused files: resolving one says why it is not available. */
  private refusedNames = new Map<string, RegistryRefusal>();

  private readonly cache: DefinitionCache | undefined;
  /** Read on first use: a call that never looks up a definition (a policy check, a hook event) does not read them. */
  private loaded = false;

  /** `cache` keeps parsed definitions between processes (see parse-cache.ts). */
  constructor(
    readonly layers: readonly RegistryLayer[],
    options: { cache?: DefinitionCache } = {},
  ) {
    this.cache = options.cache;
  }

  /** (Re)reads every file of every layer (or only the files in `only`). */
  loadAll(only?: ReadonlySet<string>): RegistryReport {
    this.loaded = true;
    this.files.clear();
    for (const layer of this.layers) {
      for (const file of listMarkdown(layer.dir)) if (!only || only.has(file)) this.readFile(file, layer);
    }
    this.cache?.save();
    return this.rebuild();
  }

  /** Re-reads one file after a change (or removes it if gone). Returns the new report. */
  reloadFile(file: string): RegistryReport {
    if (!this.loaded) return this.loadAll();
    const abs = path.resolve(file);
    const layer = this.files.get(abs)?.layer ?? this.layerOf(abs);
    if (!layer) return this.report;
    if (!fs.existsSync(abs)) this.files.delete(abs);
    else this.readFile(abs, layer);
    this.cache?.save();
    return this.rebuild();
  }

  get current(): RegistryReport {
    return this.loadedReport();
  }

  /** Looks up a qualified name or alias (`db:migrate`, `hello`). */
  resolve(nameOrAlias: string): CommandDefinition | undefined {
    this.loadedReport();
    const def = this.index.get(nameOrAlias);
    if (def) return def;
    const refused = this.refusedNames.get(nameOrAlias);
    if (refused) throw new ConfigError(`'${nameOrAlias}' is defined by a file that cannot be used: ${refused.reason}`, { file: refused.file });
    return undefined;
  }

  /** The names and aliases `def` took over from lower layers. */
  shadowedBy(def: CommandDefinition): RegistryShadowing[] {
    return this.loadedReport().shadowed.filter((s) => s.winner.file === def.source.file && s.winner.name === def.qualifiedName);
  }

  list(): CommandDefinition[] {
    return this.loadedReport().definitions;
  }

  private loadedReport(): RegistryReport {
    return this.loaded ? this.report : this.loadAll();
  }

  /** The folders being served, for the watcher. */
  dirs(): string[] {
    return this.layers.map((l) => l.dir);
  }

  private layerOf(file: string): RegistryLayer | undefined {
    // The most specific folder wins when folders nest.
    return [...this.layers]
      .filter((l) => file.startsWith(path.resolve(l.dir) + path.sep))
      .sort((a, b) => b.dir.length - a.dir.length)[0];
  }

  private readFile(file: string, layer: RegistryLayer): void {
    const abs = path.resolve(file);
    const prev = this.files.get(abs);
    const state: FileState = { layer, warnings: [], lastGood: prev?.lastGood };
    try {
      checkDefinitionSize(abs, fs.statSync(abs).size);
      const text = decodeDefinition(fs.readFileSync(abs), abs);
      const rel = path.relative(path.resolve(layer.dir), abs);
      const folders = path.dirname(rel).split(path.sep).filter((p) => p && p !== ".");
      const options = { file: abs, layer: layer.layer, folderNamespace: folders.length ? folders.join(":") : undefined };
      const out = this.cache ? this.cache.parse(text, options, parseDefinition) : parseDefinition(text, options);
      const refused = out.kind === "definition" ? layer.gate?.(abs, text) : undefined;
      if (refused !== undefined && out.kind === "definition") {
        const names = out.kind === "definition" ? [out.definition.qualifiedName, ...out.definition.aliases.map((a) => qualify(out.definition.namespace, a))] : [];
        state.refusal = { file: abs, reason: refused, names };
        state.lastGood = undefined;
      } else if (out.kind === "skipped") {
        state.notice = out.notice;
        state.lastGood = undefined;
      } else {
        state.lastGood = out.definition;
        state.warnings = out.warnings;
      }
    } catch (cause) {
      const refused = layer.gate?.(abs, "");
      if (refused !== undefined) state.lastGood = undefined; // a broken untrusted file must not keep an old version served
      state.error = cause instanceof DefinitionError ? cause : new DefinitionError(`cannot read: ${(cause as Error).message}`, { file: abs }, { cause });
    }
    this.files.set(abs, state);
  }

  private rebuild(): RegistryReport {
    const report = emptyReport();
    const refusedNames = new Map<string, RegistryRefusal>();
    const index = new Map<string, CommandDefinition>();
    const owner = new Map<string, { def: CommandDefinition; rank: number }>();
    const entries = [...this.files.entries()].sort(([fa, a], [fb, b]) => LAYER_RANK[a.layer.layer] - LAYER_RANK[b.layer.layer] || compareStrings(fa, fb));
    for (const [file, state] of entries) {
      if (state.error) {
        report.errors.push(state.error);
        if (state.lastGood) report.stale.push(file);
      }
      if (state.notice) report.notices.push(state.notice);
      if (state.refusal) {
        report.refused.push(state.refusal);
        for (const name of state.refusal.names) refusedNames.set(name, state.refusal);
      }
      report.warnings.push(...state.warnings);
      const def = state.lastGood;
      if (!def) continue;
      const rank = LAYER_RANK[def.source.layer];
      const keys = [def.qualifiedName, ...def.aliases.map((a) => qualify(def.namespace, a))];
      for (const key of keys) {
        const held = owner.get(key);
        if (held && held.rank === rank) {
          report.conflicts.push({ key, layer: def.source.layer, winner: held.def.source.file, loser: def.source.file });
          continue;
        }
        // A higher layer overrides a lower one: that is precedence, not a conflict, but it is reported.
        if (held) {
          report.shadowed.push({
            key,
            winner: { file: def.source.file, layer: def.source.layer, name: def.qualifiedName },
            hidden: { file: held.def.source.file, layer: held.def.source.layer, name: held.def.qualifiedName },
          });
        }
        owner.set(key, { def, rank });
        index.set(key, def);
      }
    }
    const served = new Set(index.values());
    report.definitions = [...served].sort((a, b) => compareStrings(a.qualifiedName, b.qualifiedName));
    // A definition overridden under its own name by a higher layer must not stay reachable by an alias.
    for (const [key, def] of index) {
      if (index.get(def.qualifiedName) !== def) index.delete(key);
    }
    report.definitions = report.definitions.filter((d) => index.get(d.qualifiedName) === d);
    for (const name of index.keys()) refusedNames.delete(name);
    this.index = index;
    this.refusedNames = refusedNames;
    this.report = report;
    return report;
  }
}

/**
 * Every `*.md` below dir, sorted; a missing folder is simply empty. A symlink named `*.md` is listed (its target is
 * read, or reported when it is dangling or not a file); symlinked folders are not followed (no loops).
 */
export function listMarkdown(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && !e.name.startsWith(".")) walk(p);
      else if ((e.isFile() || e.isSymbolicLink()) && e.name.endsWith(".md")) out.push(path.resolve(p));
    }
  };
  walk(dir);
  return out.sort();
}
