import { writeFile } from "node:fs/promises";
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { RefusedError, UsageError } from "../errors.js";
import {
  buildThesaurusFromMarkdown,
  createAutocomplete,
  createMatcher,
  type LinkType,
  type LoadedKnowledgeGraph,
  serializeThesaurus,
  validateRequiredConcepts,
} from "../knowledge/index.js";

/** What `firebreak kg` needs from the rest of the program. */
export interface KgCommandDeps {
  /** The knowledge graph of a role (undefined: the active/default role), from config. */
  resolveRoleGraph(role?: string): Promise<LoadedKnowledgeGraph>;
  /** A command definition by name (for `kg check`). */
  loadCommand?(name: string): Promise<{ name: string; knowledge_graph_required: string[] }>;
  /** Prints one line (no trailing newline). */
  stdout: (s: string) => void;
}

const LINK_TYPES: LinkType[] = ["plain", "wiki", "markdown", "html"];
const DEFAULT_SUGGEST_LIMIT = 10;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

/**
 * `firebreak kg ...`: build, match, replace, concepts, suggest, check.
 *
 * @example
 * await kgCommand(deps).parseAsync(["match", "we deploy with pnpm install", "--json"], { from: "user" });
 */
export function kgCommand(deps: KgCommandDeps): Command {
  const out = deps.stdout;
  const kg = new Command("kg").description("knowledge graphs: thesaurus build, matching, concepts, autocomplete, command checks");

  kg.command("build <dir>")
    .description("build a Terraphim thesaurus from a folder of markdown synonyms:: files")
    .option("-o, --output <file>", "write the thesaurus JSON here")
    .option("--name <name>", "thesaurus (role) name; default: the folder name")
    .option("--json", "print the thesaurus JSON instead of the summary")
    .action(async (dir: string, opts: { output?: string; name?: string; json?: boolean }) => {
      const build = await buildThesaurusFromMarkdown(dir, { name: opts.name });
      const json = serializeThesaurus(build.thesaurus);
      if (opts.output) await writeFile(path.resolve(opts.output), json);
      if (opts.json) return out(json.trimEnd());
      const t = build.thesaurus;
      out(`${t.name}: ${t.size} terms, ${t.concepts().length} concepts from ${build.files.length} files${opts.output ? ` -> ${opts.output}` : ""}`);
      if (build.filesWithoutSynonyms.length) out(`files without synonyms:: (no concept): ${build.filesWithoutSynonyms.join(", ")}`);
      out(`${build.conflicts.length} conflicts${build.conflicts.length ? " (term: winner <- losers)" : ""}`);
      for (const c of build.conflicts) {
        const losers = c.losers.map((l) => `${l.concept} (${l.file}:${l.line})`).join(", ");
        out(`  ${c.term}: ${c.winner.concept} (${c.winner.file}:${c.winner.line}) <- ${losers}`);
      }
    });

  kg.command("match <text>")
    .description("find thesaurus terms in a text (leftmost-longest, case-insensitive)")
    .option("--role <role>", "role whose knowledge graph to use")
    .option("--json", "JSON output")
    .option("--whole-word", "only whole-word matches")
    .action(async (text: string, opts: { role?: string; json?: boolean; wholeWord?: boolean }) => {
      const graph = await deps.resolveRoleGraph(opts.role);
      const matcher = opts.wholeWord ? createMatcher(graph.thesaurus, { wholeWord: true }) : graph.matcher;
      const matches = matcher.find(text);
      if (opts.json) return out(JSON.stringify(matches, null, 2));
      if (!matches.length) return out("no matches");
      for (const m of matches) {
        out(`${m.start}-${m.end} (bytes ${m.byteStart}-${m.byteEnd}) ${JSON.stringify(m.text)} -> ${m.concept}${m.term === m.concept ? "" : ` (term "${m.term}")`}`);
      }
    });

  kg.command("replace <text>")
    .description("replace matched terms with their concepts, as links")
    .option("--role <role>", "role whose knowledge graph to use")
    .addOption(new Option("--link <type>", "link type").choices(LINK_TYPES).default("plain"))
    .action(async (text: string, opts: { role?: string; link: LinkType }) => {
      const graph = await deps.resolveRoleGraph(opts.role);
      out(graph.matcher.replace(text, opts.link));
    });

  kg.command("concepts")
    .description("list the concepts of a role's knowledge graph with their terms")
    .option("--role <role>", "role whose knowledge graph to use")
    .option("--json", "JSON output: {concept: [terms]}")
    .action(async (opts: { role?: string; json?: boolean }) => {
      const graph = await deps.resolveRoleGraph(opts.role);
      const t = graph.thesaurus;
      const terms = new Map<string, string[]>(t.concepts().map((c) => [c, []]));
      for (const e of t.entries()) if (e.term !== e.nterm) terms.get(e.nterm)!.push(e.term);
      if (opts.json) return out(JSON.stringify(Object.fromEntries(terms), null, 2));
      out(`${graph.name}: ${terms.size} concepts, ${t.size} terms`);
      for (const [concept, synonyms] of terms) out(`${concept}${synonyms.length ? `: ${synonyms.join(", ")}` : ""}`);
    });

  kg.command("suggest <prefix>")
    .description("autocomplete a term: prefix matches, then fuzzy (Jaro-Winkler) ones")
    .option("--role <role>", "role whose knowledge graph to use")
    .option("--limit <n>", "most suggestions", positiveInt, DEFAULT_SUGGEST_LIMIT)
    .option("--json", "JSON output")
    .action(async (prefix: string, opts: { role?: string; limit: number; json?: boolean }) => {
      const graph = await deps.resolveRoleGraph(opts.role);
      const suggestions = createAutocomplete(graph.thesaurus).suggest(prefix, { limit: opts.limit });
      if (opts.json) return out(JSON.stringify(suggestions, null, 2));
      if (!suggestions.length) return out("no suggestions");
      for (const s of suggestions) out(`${s.term} -> ${s.concept} (${s.kind}, ${s.score.toFixed(2)})`);
    });

  kg.command("check <command>")
    .description("check that a command's knowledge_graph_required concepts are in a role's graph")
    .option("--role <role>", "role whose knowledge graph to use")
    .option("--json", "JSON output")
    .action(async (name: string, opts: { role?: string; json?: boolean }) => {
      if (!deps.loadCommand) throw new UsageError("kg check: no command registry available");
      const def = await deps.loadCommand(name);
      const graph = await deps.resolveRoleGraph(opts.role);
      const result = validateRequiredConcepts(def.knowledge_graph_required, graph.thesaurus);
      if (opts.json) out(JSON.stringify({ command: def.name, graph: graph.name, ...result }, null, 2));
      else {
        out(`${def.name}: ${def.knowledge_graph_required.length} required concepts, graph '${graph.name}'`);
        for (const m of result.matched) out(`  ok      ${m.required} -> ${m.concept}${m.via === "concept" ? "" : ` (${m.via} "${m.term}")`}`);
        for (const m of result.missing) out(`  missing ${m}`);
      }
      if (result.missing.length) {
        throw new RefusedError(
          `${def.name}: concepts missing from knowledge graph '${graph.name}': ${result.missing.join(", ")}`,
          result.missing.map((m) => `missing concept: ${m}`),
        );
      }
    });

  return kg;
}
