export { type BindOptions, type BoundArguments, bindArguments, usageLine } from "./args.js";
export { type DefinitionWarning, type ParseOutcome, parseDefinition, qualify } from "./parse.js";
export { CommandRegistry, listMarkdown, type RegistryConflict, type RegistryLayer, type RegistryReport } from "./registry.js";
export { quoteShellWord } from "./shell-quote.js";
export { type CompiledTemplate, compileTemplate, renderTemplate } from "./template.js";
export type { CommandDefinition, CommandLayer, ParameterDefinition, ResourceLimits } from "./types.js";
export { coerceValue, validateValue } from "./values.js";
export { type RegistryWatcher, RELOAD_DEBOUNCE_MS, watchRegistry } from "./watch.js";
