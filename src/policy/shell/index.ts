/** Shell analysis: parse a line with tree-sitter-bash into judged simple-command segments. */
export { createShellAnalyzer, type ShellAnalyzer } from "./analyzer.js";
export { decodeAnsiC } from "./ansi-c.js";
export { commandNameProblem, lineCharacterProblem } from "./characters.js";
export { basename } from "./command-judge.js";
export { POSIX_SHELLS, OTHER_SHELLS } from "./interpreters.js";
export { bashWasmPath, loadBashParser, type BashParser, type SyntaxNode } from "./syntax-tree.js";
export { MAX_NESTING_DEPTH } from "./walker.js";
export { WRAPPERS, type WrapperSpec } from "./wrappers.js";
export type { AssessedSegment, Redirect, RiskAssessment, RiskContext, ShellAnalysis, ShellSegment, WordFacts } from "./types.js";
