/** Public API of policy rules: command patterns, allow/ask/deny rules, `ask` resolution. */
export {
  type CommandNameMode,
  type CommandPattern,
  matchCommandPattern,
  PatternError,
  type PatternWord,
  parseCommandPattern,
} from "./pattern.js";
export { type MatchStrictness, segmentMatches } from "./segment-match.js";
export {
  type ShellOperator,
  ShellSyntaxError,
  type ShellToken,
  type ShellWord,
  simpleSegments,
  tokenizeShell,
} from "./shell-words.js";
export {
  type CompiledRule,
  type CompileRulesOptions,
  compileRules,
  describeRule,
  type RuleAction,
  ruleDecidesLine,
  ruleMatchesSegment,
  type ToSegments,
} from "./compile.js";
export { evaluateRules, type RuleEvaluation, type RuleMatch, type RuleVerdict, type SegmentRuleVerdict } from "./evaluate.js";
export { ASK_NOT_INTERACTIVE_REASON, type AskResolution, type ResolveAskOptions, resolveAsk } from "./ask.js";
