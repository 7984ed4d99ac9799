/**
 * The authoritative placeholder check: after rendering, parse the script with tree-sitter-bash and prove that every
 * value landed as literal text of one plain shell word. The load-time scanner (template-scan.ts) refuses the known bad
 * positions early with a good message; this check does not depend on that scanner understanding every corner of shell
 * syntax (odd heredoc delimiters slipped past it once), because it asks the same grammar the policy pipeline uses.
 */
import { TemplateError } from "../errors.js";
import { type BashParser, loadBashParser, type SyntaxNode } from "../policy/shell/syntax-tree.js";
import { type CompiledTemplate, type RenderedValueSpan, renderTemplateWithSpans } from "./template.js";

/** Nodes a value may stand inside: statements, lists, arguments, redirection targets, assignments. */
const ENCLOSING_ALLOWED = new Set([
  "program",
  "list",
  "pipeline",
  "redirected_statement",
  "command",
  "command_name",
  "concatenation",
  "word",
  "file_redirect",
  "herestring_redirect",
  "variable_assignment",
  "variable_assignments",
  "declaration_command",
  "array",
  "subshell",
  "compound_statement",
  "command_substitution",
  "process_substitution",
  "if_statement",
  "elif_clause",
  "else_clause",
  "while_statement",
  "for_statement",
  "case_statement",
  "case_item",
  "do_group",
  "function_definition",
  "negated_command",
  // `[ … ]` is the plain test command; its operands are ordinary words (`[[ … ]]` is refused below).
  "test_command",
  "binary_expression",
  "unary_expression",
  "parenthesized_expression",
]);

/** What a quoted value itself may consist of: plain words, single-quoted strings and their concatenation. */
// `number`: tree-sitter-bash reads a bare integer argument (`seq 3`) as a number node; it is literal text like a word.
const VALUE_PARTS = new Set(["word", "raw_string", "concatenation", "number"]);

const DESCRIPTIONS: Record<string, string> = {
  heredoc_body: "inside a heredoc body",
  heredoc_redirect: "in a heredoc",
  heredoc_start: "as a heredoc delimiter",
  string: "inside double quotes",
  raw_string: "inside single quotes",
  ansi_c_string: "inside $'…' quotes",
  comment: "inside a comment",
  expansion: "inside ${…}",
  simple_expansion: "directly after '$'",
  arithmetic_expansion: "inside arithmetic",
};

/** Why the value at `span` is not one literal plain word in the parse of `script`, or undefined when it is. */
export function literalWordProblem(root: SyntaxNode, errorOffsets: readonly number[], script: string, span: RenderedValueSpan): string | undefined {
  // Shell syntax is read left to right: an error before the value's end can change how the value is read.
  if (errorOffsets.some((offset) => offset < span.end)) return "in a script that does not parse up to that point";
  return checkNode(root, script, span);
}

function checkNode(node: SyntaxNode, script: string, span: RenderedValueSpan): string | undefined {
  if (node.end <= span.start || node.start >= span.end) return undefined;
  if (node.start >= span.start && node.end <= span.end) return insideProblem(node);
  if (node.start <= span.start && node.end >= span.end) {
    const exact = node.start === span.start && node.end === span.end;
    if (!(exact && VALUE_PARTS.has(node.type)) && !ENCLOSING_ALLOWED.has(node.type)) return describe(node.type);
    if (node.type === "command_substitution" && script.startsWith("`", node.start)) return "inside backticks (use $(…))";
    // bash evaluates `[[ -v a[$(cmd)] ]]` and `(( … ))` operands as arithmetic, which runs substitutions.
    if (node.type === "test_command" && script.startsWith("[[", node.start)) return "inside [[ … ]]";
    if (node.type === "compound_statement" && script.startsWith("((", node.start)) return "inside (( … ))";
    if ((node.type === "word" || node.type === "concatenation") && node.start < span.start && tildePrefix(script.slice(node.start, span.start))) return "after '~' (tilde expansion)";
    for (const child of node.children) {
      const problem = checkNode(child, script, span);
      if (problem) return problem;
    }
    return undefined;
  }
  return `split across shell syntax (${node.type})`;
}

function insideProblem(node: SyntaxNode): string | undefined {
  if (node.named && !VALUE_PARTS.has(node.type)) return `read as shell syntax (${node.type}), not as a literal word`;
  for (const child of node.children) {
    const problem = insideProblem(child);
    if (problem) return problem;
  }
  return undefined;
}

/** `~` or `~user` at the start of a word, before the value: the shell would expand it together with the value. */
function tildePrefix(before: string): boolean {
  return before.startsWith("~") && !before.includes("/");
}

function describe(type: string): string {
  return DESCRIPTIONS[type] ?? `inside ${type}`;
}

/** Checks every span of a rendered script; throws TemplateError naming the first placeholder that is not literal. */
export function assertLiteralWords(parser: BashParser, script: string, spans: readonly RenderedValueSpan[]): void {
  if (spans.length === 0) return;
  const { root, errorOffsets } = parser.parse(script);
  for (const span of spans) {
    const problem = literalWordProblem(root, errorOffsets, script, span);
    if (problem) {
      throw new TemplateError(`line ${span.line}: the value of {{${span.name}}} would be ${problem} in the rendered script; nothing was run`);
    }
  }
}

/**
 * Renders a template and proves, with the bash grammar, that every value is one literal word.
 *
 * @example
 * await renderTemplateChecked(compileTemplate("echo {{a}}"), { a: "$(id)" }) // "echo '$(id)'"
 */
export async function renderTemplateChecked(template: CompiledTemplate, values: Readonly<Record<string, unknown>>, parser?: BashParser): Promise<string> {
  const { script, spans } = renderTemplateWithSpans(template, values);
  assertLiteralWords(parser ?? (await loadBashParser()), script, spans);
  return script;
}
