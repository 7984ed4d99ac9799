/**
 * Walks a bash syntax tree and emits one ShellSegment per simple command, wherever it is:
 * pipelines, lists, subshells, substitutions, heredocs, functions, loops, conditionals.
 * Unknown node types are walked generically, so a command nested in syntax we do not
 * model is still found.
 */
import type { BashParser, SyntaxNode } from "./syntax-tree.js";
import type { Redirect, ShellSegment } from "./types.js";
import { judgeCommand, type Assignment, type CommandFacts } from "./command-judge.js";
import { parseRedirects, REDIRECT_TYPES, type ParsedRedirects } from "./redirects.js";
import { isTranslatedStringDollar, normaliseWord, type NormalisedWord } from "./words.js";
import { lineCharacterProblem } from "./characters.js";
import { expandLiteralCommandName, type LiteralVariable } from "./literal-variables.js";

/** Re-parsing nested code (`bash -c "bash -c '…'"`) stops here; deeper nesting is opaque. */
export const MAX_NESTING_DEPTH = 8;

/** Where in the line a node sits; passed down the walk. */
export interface WalkContext {
  context: string[];
  parentId?: number;
  pipeline?: PipelineSlot;
  /** Redirects of an enclosing compound command (`{ a; b; } > f`). */
  inheritedRedirects: Redirect[];
  background: boolean;
  depth: number;
}

interface PipelineSlot {
  id: number;
  index: number;
  length: number;
  /** Segments found directly in each stage so far (for `echo 'ls' | sh`). */
  stages: ShellSegment[][];
}

/** State shared by the walk of a line and of every string re-parsed from it. */
export interface WalkState {
  parser: BashParser;
  segments: ShellSegment[];
  parseErrors: string[];
  nextPipelineId: number;
  /** Literal variables of the top-level line (see literal-variables.ts) and that line, whose offsets they use. */
  literals?: { source: string; variables: Map<string, LiteralVariable> };
}

const SKIPPED_TYPES = new Set(["comment", "heredoc_start", "heredoc_end"]);
const SUBSTITUTION_TYPES = new Set(["command_substitution", "process_substitution"]);
const HEREDOC_PARTS = new Set(["heredoc_body", "file_redirect"]);
const PIPE_TOKENS = new Set(["|", "|&"]);

/** Walks one source text (the line, or a string re-parsed from it). */
export class SegmentWalker {
  constructor(
    private readonly state: WalkState,
    private readonly source: string,
  ) {}

  /**
   * Walks any node. Returns nothing; segments accumulate in the shared state.
   * @example new SegmentWalker(state, "ls | wc").walk(root, topContext())
   */
  walk(node: SyntaxNode, ctx: WalkContext): void {
    switch (node.type) {
      case "command":
        this.command(node, ctx, []);
        return;
      case "redirected_statement":
        this.redirectedStatement(node, ctx);
        return;
      case "pipeline":
        this.pipeline(flattenPipeline(node).map((stage) => (c: WalkContext) => this.walk(stage, c)), ctx);
        return;
      case "function_definition":
        this.functionDefinition(node, ctx);
        return;
      case "command_substitution":
      case "process_substitution":
        this.children(node, nested(ctx, node.type));
        return;
      case "subshell":
        this.children(node, { ...ctx, context: [...ctx.context, "subshell"] });
        return;
      case "declaration_command":
      case "unset_command":
        this.declaration(node, ctx);
        return;
      case "variable_assignment":
      case "variable_assignments":
        this.standaloneAssignments(node, ctx);
        return;
      case "heredoc_redirect":
        this.descend(node, ctx);
        return;
      default:
        if (SKIPPED_TYPES.has(node.type)) return;
        this.children(node, ctx);
    }
  }

  /** Walks children in order; a statement followed by `&` runs in the background. */
  private children(node: SyntaxNode, ctx: WalkContext): void {
    const kids = node.children;
    for (let i = 0; i < kids.length; i++) {
      const child = kids[i] as SyntaxNode;
      if (!child.named) continue;
      const next = kids[i + 1];
      const background = next !== undefined && !next.named && next.type === "&";
      this.walk(child, background && !ctx.background ? { ...ctx, background: true } : ctx);
    }
  }

  /** Finds the substitutions inside a command's words, assignments and redirects. */
  private descend(node: SyntaxNode, ctx: WalkContext): void {
    for (const child of node.children) {
      if (!child.named) continue;
      if (SUBSTITUTION_TYPES.has(child.type)) this.walk(child, ctx);
      else if (node.type === "heredoc_redirect" && !HEREDOC_PARTS.has(child.type)) continue; // continuation statements
      else this.descend(child, ctx);
    }
  }

  private pipeline(stages: ((ctx: WalkContext) => void)[], ctx: WalkContext): void {
    const slot: PipelineSlot = { id: this.state.nextPipelineId++, index: 0, length: stages.length, stages: [] };
    stages.forEach((walkStage, index) => {
      slot.stages[index] = [];
      walkStage({ ...ctx, pipeline: { ...slot, index } });
    });
  }

  private redirectedStatement(node: SyntaxNode, ctx: WalkContext): void {
    const body = node.children.find((c) => c.named && !REDIRECT_TYPES.has(c.type));
    const redirectNodes = node.children.filter((c) => REDIRECT_TYPES.has(c.type));
    const parsed = parseRedirects(redirectNodes, this.source);
    const pipeContinuation = parsed.continuations.find((c) => c.type === "pipeline" && PIPE_TOKENS.has(c.children[0]?.type ?? ""));
    const others = parsed.continuations.filter((c) => c !== pipeContinuation);
    const walkSelf = (c: WalkContext): void => {
      if (body?.type === "command") this.command(body, c, redirectNodes, parsed);
      else if (!body) this.redirectionOnly(node, c, redirectNodes, parsed);
      else {
        const inner = { ...c, inheritedRedirects: [...c.inheritedRedirects, ...parsed.redirects] };
        if (body) this.walk(body, inner);
        for (const r of redirectNodes) this.descend({ ...r, children: [r] }, c); // substitutions in redirect targets
        this.reparseBackticks(parsed, c, undefined);
      }
    };
    if (pipeContinuation) {
      const later = flattenPipeline(pipeContinuation).map((stage) => (c: WalkContext) => this.walk(stage, c));
      this.pipeline([walkSelf, ...later], ctx);
    } else walkSelf(ctx);
    for (const statement of others) this.walk(statement, ctx);
  }

  /**
   * `> /etc/hosts` alone truncates or creates the file: a segment without argv, so the risk rules see the write
   * (it used to yield no segment at all and count as low).
   */
  private redirectionOnly(node: SyntaxNode, ctx: WalkContext, redirectNodes: SyntaxNode[], parsed: ParsedRedirects): void {
    const facts: CommandFacts = { words: [], assignments: [], redirects: [...parsed.redirects, ...ctx.inheritedRedirects], stdin: parsed.stdin };
    const segment = this.emit(facts, ctx, this.source.slice(node.start, node.end));
    const childCtx: WalkContext = { ...ctx, parentId: segment.id, pipeline: undefined, inheritedRedirects: [], background: false };
    for (const r of redirectNodes) this.descend({ ...r, children: [r] }, childCtx); // substitutions in redirect targets
    this.reparseBackticks(parsed, childCtx, segment);
  }

  private functionDefinition(node: SyntaxNode, ctx: WalkContext): void {
    const nameNode = node.children.find((c) => c.named && c.type === "word");
    const name = nameNode ? this.source.slice(nameNode.start, nameNode.end) : "?";
    const body = node.children.filter((c) => c.named && c !== nameNode);
    const inner: WalkContext = { ...ctx, context: [...ctx.context, `function:${name}`], pipeline: undefined, background: false };
    for (const part of body) this.walk(part, inner);
  }

  /** A simple command: words, assignments and redirects, then wrappers and nested code. */
  private command(node: SyntaxNode, ctx: WalkContext, outerRedirects: SyntaxNode[], outerParsed?: ParsedRedirects): void {
    const words: NormalisedWord[] = [];
    const assignments: SyntaxNode[] = [];
    const redirectNodes: SyntaxNode[] = [];
    const kids = node.children;
    for (let i = 0; i < kids.length; i++) {
      const child = kids[i] as SyntaxNode;
      if (child.type === "variable_assignment") assignments.push(child);
      else if (REDIRECT_TYPES.has(child.type)) redirectNodes.push(child);
      else if (child.type === "command_name") words.push(...this.commandName(child));
      else if (child.type === "comment") continue;
      else if (isTranslatedStringDollar(child, kids[i + 1])) continue;
      else words.push(...normaliseWord([child], this.source));
    }
    const inner = parseRedirects(redirectNodes, this.source);
    const outer = outerParsed ?? parseRedirects(outerRedirects, this.source);
    for (const extra of [...inner.extraArguments, ...outer.extraArguments]) words.push(...normaliseWord([extra], this.source));
    const facts: CommandFacts = {
      words,
      assignments: assignments.map((a) => this.assignment(a)),
      redirects: [...inner.redirects, ...outer.redirects, ...ctx.inheritedRedirects],
      stdin: inner.stdin ?? outer.stdin,
      pipelineIndex: ctx.pipeline?.index,
      previousStage: ctx.pipeline && ctx.pipeline.index > 0 ? ctx.pipeline.stages[ctx.pipeline.index - 1] : undefined,
    };
    const segment = this.emit(facts, ctx, this.source.slice(node.start, node.end));
    const childCtx: WalkContext = { ...ctx, parentId: segment.id, pipeline: undefined, inheritedRedirects: [], background: false };
    this.descend({ ...node, children: [...kids, ...outerRedirects] }, childCtx);
    this.reparseBackticks(inner, childCtx, segment);
    if (!outerParsed) this.reparseBackticks(outer, childCtx, segment);
    else this.reparseBackticks(outerParsed, childCtx, segment);
  }

  /** The command name's words; `$X` is followed when X was assigned a literal earlier on the line. */
  private commandName(node: SyntaxNode): NormalisedWord[] {
    const literals = this.state.literals;
    const expanded = literals?.source === this.source ? expandLiteralCommandName(this.source.slice(node.start, node.end), node.start, literals.variables) : undefined;
    if (!expanded) return normaliseWord(node.children, this.source);
    return expanded.map((value) => ({ value, dynamic: false, glob: false, usesIfs: false, braceOverflow: false }));
  }

  /** Builds, judges and records one segment, then follows the code it carries. */
  emit(facts: CommandFacts, ctx: WalkContext, text: string, extraWrappers: string[] = []): ShellSegment {
    const judged = judgeCommand(facts);
    const segment: ShellSegment = {
      argv: judged.words.map((w) => w.value),
      wrappers: [...extraWrappers, ...judged.wrappers],
      redirects: facts.redirects,
      opaque: judged.opaqueReasons.length > 0,
      text,
      context: ctx.context,
      id: this.state.segments.length,
      words: judged.words.map((w) => ({ dynamic: w.dynamic, glob: w.glob })),
    };
    if (segment.opaque) segment.opaqueReason = judged.opaqueReasons.join("; ");
    if (ctx.parentId !== undefined) segment.parentId = ctx.parentId;
    if (ctx.pipeline) segment.pipeline = { id: ctx.pipeline.id, index: ctx.pipeline.index, length: ctx.pipeline.length };
    if (ctx.background) segment.background = true;
    if (judged.argsFromStdin) segment.argsFromStdin = true;
    const assignments = [...facts.assignments, ...judged.assignments].map((a) => `${a.name}=${a.value}`);
    if (assignments.length > 0) segment.assignments = assignments;
    if (facts.placeholderRoots) segment.placeholderRoots = facts.placeholderRoots;
    if (facts.placeholderFiltered) segment.placeholderFiltered = true;
    if (facts.stdin && !facts.stdin.dynamic) segment.stdinText = facts.stdin.text;
    this.state.segments.push(segment);
    ctx.pipeline?.stages[ctx.pipeline.index]?.push(segment);

    const childCtx: WalkContext = { ...ctx, parentId: segment.id, pipeline: undefined, inheritedRedirects: [], background: false };
    for (const code of judged.code) this.reparse(code.text, childCtx, code.via, segment);
    for (const exec of judged.execCommands) {
      const execFacts: CommandFacts = { words: exec.words, assignments: [], redirects: [], placeholderRoots: exec.roots, placeholderFiltered: exec.filtered };
      this.emit(execFacts, { ...childCtx, context: [...ctx.context, exec.via] }, text, [exec.via]);
    }
    return segment;
  }

  /** Parses a string that will run as shell code and walks it as nested context. */
  reparse(code: string, ctx: WalkContext, via: string, owner: ShellSegment | undefined): void {
    const problem = ctx.depth >= MAX_NESTING_DEPTH ? `code nested more than ${MAX_NESTING_DEPTH} levels deep` : lineCharacterProblem(code);
    if (problem) {
      if (owner) markOpaque(owner, `${via}: ${problem}`);
      else this.state.parseErrors.push(`${via}: ${problem}`);
      return;
    }
    const { root, errors } = this.state.parser.parse(code);
    for (const error of errors) this.state.parseErrors.push(`${via}: ${error}`);
    const walker = new SegmentWalker(this.state, code);
    walker.walk(root, { ...ctx, context: [...ctx.context, via], depth: ctx.depth + 1 });
  }

  private reparseBackticks(parsed: ParsedRedirects, ctx: WalkContext, owner: ShellSegment | undefined): void {
    for (const code of parsed.backtickCode) this.reparse(code, ctx, "heredoc backticks", owner);
  }

  private assignment(node: SyntaxNode): Assignment {
    const [name, , ...value] = node.children;
    const nameText = name ? this.source.slice(name.start, name.end) : "";
    const words = normaliseWord(value, this.source);
    return { name: nameText, value: words.map((w) => w.value).join(" "), dynamic: words.some((w) => w.dynamic) };
  }

  /** `export A=1`, `declare -x B=$(id)`, `unset C`: one segment, plus nested code in values. */
  private declaration(node: SyntaxNode, ctx: WalkContext): void {
    const words: NormalisedWord[] = [];
    const assignments: Assignment[] = [];
    for (const child of node.children) {
      if (child.type === "variable_assignment") {
        const a = this.assignment(child);
        assignments.push(a);
        words.push({ value: `${a.name}=${a.value}`, dynamic: a.dynamic, glob: false, usesIfs: false, braceOverflow: false });
      } else if (!child.named) words.push({ value: this.source.slice(child.start, child.end), dynamic: false, glob: false, usesIfs: false, braceOverflow: false });
      else if (child.type !== "comment") words.push(...normaliseWord([child], this.source));
    }
    const facts: CommandFacts = { words, assignments: [], declared: assignments, redirects: ctx.inheritedRedirects };
    const segment = this.emit(facts, ctx, this.source.slice(node.start, node.end));
    this.descend(node, { ...ctx, parentId: segment.id, pipeline: undefined, inheritedRedirects: [], background: false });
  }

  /** `A=1 B=$(id)` alone on a statement: a segment without argv, so code-carrying values are judged. */
  private standaloneAssignments(node: SyntaxNode, ctx: WalkContext): void {
    const nodes = node.type === "variable_assignment" ? [node] : node.children.filter((c) => c.type === "variable_assignment");
    const facts: CommandFacts = { words: [], assignments: nodes.map((a) => this.assignment(a)), redirects: ctx.inheritedRedirects };
    const segment = this.emit(facts, ctx, this.source.slice(node.start, node.end));
    this.descend({ ...node, children: nodes }, { ...ctx, parentId: segment.id, pipeline: undefined, inheritedRedirects: [], background: false });
  }
}

/** The context at the top of a line. */
export function topContext(): WalkContext {
  return { context: [], inheritedRedirects: [], background: false, depth: 0 };
}

/** Makes a segment opaque, keeping earlier reasons. */
export function markOpaque(segment: ShellSegment, reason: string): void {
  segment.opaque = true;
  segment.opaqueReason = segment.opaqueReason ? `${segment.opaqueReason}; ${reason}` : reason;
}

function nested(ctx: WalkContext, kind: string): WalkContext {
  return { ...ctx, context: [...ctx.context, kind], pipeline: undefined, inheritedRedirects: [], background: false };
}

/** Stages of a pipeline; nested pipelines (a grammar quirk after heredocs) are flattened. */
function flattenPipeline(node: SyntaxNode): SyntaxNode[] {
  const stages: SyntaxNode[] = [];
  for (const child of node.children) {
    if (!child.named) continue;
    if (child.type === "pipeline") stages.push(...flattenPipeline(child));
    else if (child.type !== "comment") stages.push(child);
  }
  return stages;
}
