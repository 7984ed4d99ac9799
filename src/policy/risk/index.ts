/** Risk assessment over analysed shell lines: rules as data, one predicate per rule. */
export { assessRisk } from "./assess.js";
export { DEV_TOOLS, READ_ONLY_COMMANDS, WORKSPACE_WRITERS, type ToolPolicy } from "./command-sets.js";
export { deletedPaths, writtenPaths } from "./file-effects.js";
export { classifyPath, resolvePath, type CwdState, type PathInfo } from "./paths.js";
export { RISK_RULES, type RiskFamily, type RiskRule } from "./rules.js";
export { LineView, SegmentView } from "./segment-view.js";
