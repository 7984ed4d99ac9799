import { type CompiledBlacklist, compileBlacklist } from "../policy/blacklist.js";
import { type CompiledRule, compileRules } from "../policy/rules/index.js";
import type { FirebreakConfig } from "../config/schema.js";
import type { ShellAnalyzer } from "./context.js";

/** Rules and blacklist compiled once per config load (examples are checked with the real parser). */
export interface CompiledPolicy {
  rules: CompiledRule[];
  blacklist: CompiledBlacklist;
}

/**
 * Compiles `[policy]`: a rule whose `match`/`not_match` examples fail throws ConfigError here,
 * at load, naming the rule and the example.
 */
export function compilePolicy(config: FirebreakConfig, analyzer: ShellAnalyzer, file?: string): CompiledPolicy {
  return {
    rules: compileRules(config.policy.rules, { file, toSegments: (line) => analyzer.analyze(line).segments }),
    blacklist: compileBlacklist(config.policy.blacklist, { file }),
  };
}
