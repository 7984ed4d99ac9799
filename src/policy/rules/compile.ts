import { ConfigError } from "../../errors.js";
import type { PolicyRuleConfig } from "../config-schema.js";
import { DEFAULT_ALLOW_CEILING, type RiskLevel } from "../types.js";
import type { ShellSegment } from "../shell/types.js";
import { type CommandPattern, PatternError, parseCommandPattern, startsWithWildcard } from "./pattern.js";
import { segmentMatches } from "./segment-match.js";
import { simpleSegments } from "./shell-words.js";

export type RuleAction = "allow" | "ask" | "deny";

/** Turns a shell line into segments; inject the real parser (src/policy/shell) in production. */
export type ToSegments = (line: string) => ShellSegment[];

export interface CompiledRule {
  /** The rule's id, or "#<n>" (1-based position) when it has none. */
  id: string;
  index: number;
  action: RuleAction;
  patterns: CommandPattern[];
  reason?: string;
  /** Allow rules: the highest risk a line they cover may run at on the host. */
  localRiskCeiling?: RiskLevel;
}

export interface CompileRulesOptions {
  /** Config file the rules came from, for error locations. */
  file?: string;
  /** Config path of the rules array, for error locations. Default "policy.rules". */
  field?: string;
  /** Parser for `match`/`not_match` examples. Default: {@link simpleSegments}. */
  toSegments?: ToSegments;
}

/** "rule "no-force-push" (git push --force *)" — how messages name a rule. */
export function describeRule(rule: CompiledRule): string {
  return `rule "${rule.id}" (${rule.patterns.map((p) => p.source).join(" | ")})`;
}

/** true if the rule matches this one segment (allow rules never match opaque segments). */
export function ruleMatchesSegment(rule: CompiledRule, segment: ShellSegment): boolean {
  return segmentMatches(rule.patterns, segment, rule.action === "allow" ? "permit" : "restrict");
}

/**
 * Whether the rule decides a whole line: a deny/ask rule when any segment matches, an allow rule
 * only when every segment matches (and there is at least one). This is what examples assert.
 */
export function ruleDecidesLine(rule: CompiledRule, segments: readonly ShellSegment[]): boolean {
  if (rule.action === "allow") return segments.length > 0 && segments.every((s) => ruleMatchesSegment(rule, s));
  return segments.some((s) => ruleMatchesSegment(rule, s));
}

/**
 * Compiles `[[policy.rules]]`: parses every pattern and checks every `match` example is decided
 * by the rule and every `not_match` example is not. Throws ConfigError naming the rule, the
 * pattern and the failing example.
 *
 * @example
 * const rules = compileRules([{ action: "deny", pattern: "git push --force *", match: ["git push --force"], not_match: [] }]);
 * evaluateRules(simpleSegments("git push --force origin"), rules).action // "deny"
 */
export function compileRules(rules: readonly PolicyRuleConfig[], options: CompileRulesOptions = {}): CompiledRule[] {
  const toSegments = options.toSegments ?? simpleSegments;
  const field = options.field ?? "policy.rules";
  const ids = new Set<string>();
  return rules.map((config, index) => {
    const at = (suffix: string): ConfigError["location"] => ({
      ...(options.file ? { file: options.file } : {}),
      field: `${field}[${index}]${suffix}`,
    });
    const sources = typeof config.pattern === "string" ? [config.pattern] : config.pattern;
    const id = config.id ?? `#${index + 1}`;
    if (config.id !== undefined) {
      if (ids.has(config.id)) throw new ConfigError(`duplicate rule id "${config.id}"`, at(".id"));
      ids.add(config.id);
    }
    const patterns = sources.map((source, p) => {
      try {
        const pattern = parseCommandPattern(source);
        if (config.action === "allow" && startsWithWildcard(pattern)) {
          throw new PatternError(`pattern '${source}' starts with a wildcard: an allow rule must name its command`);
        }
        return pattern;
      } catch (error) {
        if (!(error instanceof PatternError)) throw error;
        const suffix = typeof config.pattern === "string" ? ".pattern" : `.pattern[${p}]`;
        throw new ConfigError(`rule "${id}": ${error.message}`, at(suffix), { cause: error });
      }
    });
    const rule: CompiledRule = {
      id,
      index,
      action: config.action,
      patterns,
      ...(config.reason !== undefined ? { reason: config.reason } : {}),
      ...(config.action === "allow" ? { localRiskCeiling: config.local_risk_ceiling ?? DEFAULT_ALLOW_CEILING } : {}),
    };
    checkExamples(rule, config.match ?? [], true, toSegments, (j) => at(`.match[${j}]`));
    checkExamples(rule, config.not_match ?? [], false, toSegments, (j) => at(`.not_match[${j}]`));
    return rule;
  });
}

function checkExamples(
  rule: CompiledRule,
  examples: readonly string[],
  expected: boolean,
  toSegments: ToSegments,
  at: (index: number) => ConfigError["location"],
): void {
  examples.forEach((example, j) => {
    let segments: ShellSegment[];
    try {
      segments = toSegments(example);
    } catch (error) {
      throw new ConfigError(`${describeRule(rule)}: example "${example}" could not be parsed: ${String(error)}`, at(j), {
        cause: error,
      });
    }
    if (ruleDecidesLine(rule, segments) !== expected) {
      const what = expected ? "does not match its example" : "matches its not_match example";
      throw new ConfigError(`${describeRule(rule)} ${what} "${example}"`, at(j));
    }
  });
}
