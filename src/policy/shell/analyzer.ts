/**
 * The shell analyzer: one synchronous `analyze(line)` over a grammar loaded once.
 */
import { lineControlProblem, lineInvisibleProblem } from "./characters.js";
import { collectLiteralVariables } from "./literal-variables.js";
import { invisibleOnlyInQuotes } from "./quoted-characters.js";
import { loadBashParser } from "./syntax-tree.js";
import type { ShellAnalysis, ShellSegment } from "./types.js";
import { markOpaque, SegmentWalker, topContext, type WalkState } from "./walker.js";

/** Analyses shell lines into simple-command segments. */
export interface ShellAnalyzer {
  /** Every simple command in `line`, wrappers peeled, nested code followed. Never throws on bad input. */
  analyze(line: string): ShellAnalysis;
}

let shared: Promise<ShellAnalyzer> | undefined;

/**
 * Recent analyses, by line. An analysis is a pure function of the line's text, and agents run the same lines over and
 * over (`git status`, `npm test`); the daemon answers those without parsing again. Cached analyses are frozen, so no
 * caller can change what the next caller of the same line gets.
 */
const MAX_CACHED_LINES = 512;
const MAX_CACHED_LINE_CHARS = 4096;

/**
 * Creates the analyzer; the grammar (native or WebAssembly tree-sitter) is loaded once per process and shared.
 * @example
 * const analyzer = await createShellAnalyzer();
 * analyzer.analyze("ls && rm -rf ~/p").segments.map((s) => s.argv[0]); // ["ls", "rm"]
 */
export function createShellAnalyzer(): Promise<ShellAnalyzer> {
  shared ??= loadBashParser()
    .then((parser) => {
      const recent = new Map<string, ShellAnalysis>();
      const analyzeAfresh = (line: string): ShellAnalysis => {
        const state: WalkState = { parser, segments: [], parseErrors: [], nextPipelineId: 0 };
        const { root, errors } = parser.parse(line);
        const characterProblem = lineControlProblem(line) ?? (lineInvisibleProblem(line) && !invisibleOnlyInQuotes(root, line) ? lineInvisibleProblem(line) : undefined);
        state.parseErrors.push(...errors);
        if (line.includes("=")) state.literals = { source: line, variables: collectLiteralVariables(root, line) };
        new SegmentWalker(state, line).walk(root, topContext());
        return finish(line, state, characterProblem);
      };
      return {
        analyze(line: string): ShellAnalysis {
          if (line.length > MAX_CACHED_LINE_CHARS) return analyzeAfresh(line);
          let analysis = recent.get(line);
          if (analysis) recent.delete(line); // re-inserted below: most recently used last
          else analysis = deepFreeze(analyzeAfresh(line));
          recent.set(line, analysis);
          if (recent.size > MAX_CACHED_LINES) recent.delete(recent.keys().next().value!);
          return analysis;
        },
      };
    })
    .catch((error: unknown) => {
      shared = undefined;
      throw error;
    });
  return shared;
}

/** Parse errors or unreadable characters anywhere make every segment opaque. */
function finish(line: string, state: WalkState, characterProblem: string | undefined): ShellAnalysis {
  const lineProblem = characterProblem ?? (state.parseErrors.length > 0 ? `parse error: ${state.parseErrors[0]}` : undefined);
  if (lineProblem) {
    if (state.segments.length === 0) state.segments.push(placeholderSegment(line));
    for (const segment of state.segments) markOpaque(segment, lineProblem);
  }
  return { segments: state.segments, parseErrors: state.parseErrors };
}

function placeholderSegment(line: string): ShellSegment {
  return { argv: [], wrappers: [], redirects: [], opaque: true, text: line, context: [], id: 0 };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
