/**
 * Knowledge graphs (Terraphim-compatible): thesaurus from markdown `synonyms::` files or Terraphim JSON,
 * a leftmost-longest case-insensitive Aho-Corasick matcher, the role graph, autocomplete, the content-hash
 * cached loader and the validation of a command's required concepts. See README.md in this folder.
 */
export { type Autocomplete, createAutocomplete, jaroWinkler, type SuggestOptions, type Suggestion } from "./autocomplete.js";
export { foldCase } from "./fold.js";
export { type LoadedKnowledgeGraph, type LoadOptions, loadKnowledgeGraph } from "./loader.js";
export {
  buildThesaurusFromMarkdown,
  buildThesaurusFromSources,
  conceptFromPath,
  type MarkdownSource,
  parseSynonymsLine,
  readMarkdownSources,
  type TermClaim,
  type TermConflict,
  type ThesaurusBuild,
} from "./markdown-builder.js";
export { createMatcher, type KgMatch, type LinkType, type Matcher, type MatcherOptions } from "./matcher.js";
export { looseKey, normalizeTerm } from "./normalize.js";
export { type Connectivity, RoleGraph, type RoleGraphEdge, type RoleGraphNode } from "./role-graph.js";
export {
  type ParsedThesaurusJson,
  parseTerraphimJson,
  serializeThesaurus,
  type TerraphimThesaurusJson,
  toTerraphimJson,
} from "./terraphim-json.js";
export { compareStrings, type NormalizedTerm, Thesaurus, type ThesaurusEntry } from "./thesaurus.js";
export { type ConceptValidation, type MatchedConcept, validateRequiredConcepts } from "./validate.js";
