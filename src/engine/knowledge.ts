import path from "node:path";
import type { CommandDefinition } from "../commands/types.js";
import { packageRoot } from "../paths.js";
import { sealKeyFile } from "../sealed-file.js";
import { ConfigError } from "../errors.js";
import { type LoadedKnowledgeGraph, loadKnowledgeGraph } from "../knowledge/loader.js";
import { readMarkdownSources } from "../knowledge/markdown-builder.js";
import { RoleGraph } from "../knowledge/role-graph.js";
import { validateRequiredConcepts } from "../knowledge/validate.js";
import type { EngineContext } from "./context.js";
import type { Decision } from "./types.js";

/** The graph a role uses when it names none: the bundled one, which covers the bundled commands. */
export const BUNDLED_KNOWLEDGE_GRAPH = "kg/default";

/** Where a role's knowledge graph comes from: its `knowledge_graph` (relative to the config file), or the bundled one. */
export function roleGraphSource(ctx: Pick<EngineContext, "config" | "loaded">, role: string): string {
  const configured = ctx.config.roles[role]?.knowledge_graph;
  if (!configured) return path.join(packageRoot(), BUNDLED_KNOWLEDGE_GRAPH);
  const file = [...ctx.loaded.sources].reverse().find((s) => !s.file.startsWith("<") && (s.data.roles as Record<string, { knowledge_graph?: string }> | undefined)?.[role]?.knowledge_graph);
  return path.resolve(file ? path.dirname(file.file) : ctx.loaded.projectRoot, configured);
}

/**
 * Loads (and caches, per process and on disk by content hash) the knowledge graph of each role.
 *
 * @example
 * const kg = await knowledgeFor(ctx)("developer");
 * kg.matcher.find("deploy to production");
 */
export function knowledgeLoader(ctx: Pick<EngineContext, "config" | "loaded" | "stateDir">): (role: string) => Promise<LoadedKnowledgeGraph> {
  const cache = new Map<string, Promise<LoadedKnowledgeGraph>>();
  return (role) => {
    let loaded = cache.get(role);
    if (!loaded) {
      if (!ctx.config.roles[role]) return Promise.reject(new ConfigError(`unknown role '${role}'`, { field: "roles" }));
      loaded = loadKnowledgeGraph(roleGraphSource(ctx, role), { cacheDir: path.join(ctx.stateDir, "kg-cache"), cacheKeyFile: sealKeyFile(ctx.loaded.paths.configDir), name: role });
      cache.set(role, loaded);
    }
    return loaded;
  };
}

/**
 * The knowledge stage of a plan: every `knowledge_graph_required` entry must resolve in the role's graph;
 * with `kg_require_connected`, the matched concepts must also be joined in the role graph built from the
 * graph's own documents.
 */
export async function checkConcepts(ctx: EngineContext, definition: CommandDefinition, role: string): Promise<Decision["concepts"] & { notes: string[] }> {
  if (definition.knowledge_graph_required.length === 0) return { matched: [], missing: [], notes: [] };
  const kg = await ctx.knowledge(role);
  const result = validateRequiredConcepts(definition.knowledge_graph_required, kg.thesaurus);
  const concepts = { matched: result.matched.map((m) => ({ required: m.required, concept: m.concept })), missing: result.missing, notes: [] as string[] };
  if (ctx.config.roles[role]?.kg_require_connected && result.missing.length === 0 && kg.kind === "markdown") {
    const graph = new RoleGraph(kg.thesaurus, kg.matcher);
    for (const doc of await readMarkdownSources(kg.source)) graph.indexDocument(doc.path, doc.content);
    const connectivity = graph.connectivity(concepts.matched.map((m) => m.concept));
    if (!connectivity.connected) {
      concepts.notes.push(`required concepts are not connected in role ${role}'s graph: ${connectivity.components.map((c) => `{${c.join(", ")}}`).join(" ")}`);
    }
  }
  return concepts;
}

/**
 * Concepts mentioned in a script, for the audit record. Whole words only, so "latest" is not tagged
 * "test"; a role whose graph cannot load records none (the run itself was already decided).
 */
export async function conceptsInScript(ctx: EngineContext, role: string, script: string): Promise<string[]> {
  let kg: LoadedKnowledgeGraph;
  try {
    kg = await ctx.knowledge(role);
  } catch {
    return [];
  }
  const matcher = kg.matcher.withWholeWord(true); // the loaded (cached) automaton: nothing is built per call
  return [...new Set(matcher.find(script).map((m) => m.concept))].sort();
}
