/**
 * Every risk rule, as data. Each has an id, a family, a risk, a reason and one predicate over
 * a parsed segment (argv, redirects, classified paths) — never over the raw command line.
 * A segment's risk is the highest risk among the rules that apply (low when none do).
 */
import type { RiskRule } from "./rule-types.js";
import { FILE_RULES } from "./rules/files.js";
import { GENERAL_RULES } from "./rules/general.js";
import { GIT_RULES } from "./rules/git.js";
import { NETWORK_RULES } from "./rules/network.js";
import { SYSTEM_RULES } from "./rules/system.js";

export const RISK_RULES: readonly RiskRule[] = [...GENERAL_RULES, ...FILE_RULES, ...SYSTEM_RULES, ...GIT_RULES, ...NETWORK_RULES];

export type { RiskFamily, RiskRule } from "./rule-types.js";
