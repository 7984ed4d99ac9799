import { TemplateError } from "../errors.js";
import { quoteShellWord } from "./shell-quote.js";
import { newScanner, placeholderProblem, type Scanner, scan, snapshotState } from "./template-scan.js";

/**
 * Command templates: shell text with mustache-style tags.
 * - `{{name}}`: the value, shell-quoted as one word (an array: one quoted word per element).
 * - `{{#name}}…{{/name}}`: rendered when the value is true, a non-empty string/array, or a number.
 * - `{{^name}}…{{/name}}`: rendered when it is not.
 * There is deliberately no raw (unquoted) form: a parameter value can never become shell syntax.
 *
 * @example
 * const t = compileTemplate("printf '%s, %s!\\n' {{greeting}} {{name}}{{#loud}} | tr a-z A-Z{{/loud}}");
 * renderTemplate(t, { greeting: "hi", name: "Ada", loud: false }) // "printf '%s, %s!\n' hi Ada"
 */
export type TemplateNode =
  | { kind: "text"; text: string }
  | { kind: "value"; name: string; line: number }
  | { kind: "section"; name: string; inverted: boolean; line: number; children: TemplateNode[] };

export interface CompiledTemplate {
  source: string;
  nodes: TemplateNode[];
  /** Every parameter name the template mentions. */
  names: Set<string>;
  /** Parameter names used as bare `{{name}}` outside a section guarding that same name. */
  unguarded: Set<string>;
}

const STANDALONE_SECTION = /^[ \t]*(\{\{\s*[#^/]\s*[A-Za-z][A-Za-z0-9_]*\s*\}\})[ \t]*\r?\n/gm;
const TAG = /\{\{\s*([#^/]?)\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** Parses and checks a template; throws TemplateError naming the line of the problem. */
export function compileTemplate(original: string): CompiledTemplate {
  // Mustache "standalone" rule: a section tag alone on its line takes the whole line with it.
  const source = original.replace(STANDALONE_SECTION, (_m, tag: string) => tag);
  const root: TemplateNode[] = [];
  const stack: { node: Extract<TemplateNode, { kind: "section" }>; state: string }[] = [];
  const names = new Set<string>();
  const unguarded = new Set<string>();
  const scanner: Scanner = newScanner();
  let last = 0;
  const lineAt = (index: number) => source.slice(0, index).split("\n").length;
  const current = () => stack.at(-1)?.node.children ?? root;

  for (const m of source.matchAll(TAG)) {
    const text = source.slice(last, m.index);
    if (text.includes("{{") || text.includes("}}")) {
      throw new TemplateError(`line ${lineAt(last + text.indexOf(text.includes("{{") ? "{{" : "}}"))}: malformed tag`);
    }
    if (text) current().push({ kind: "text", text });
    scan(scanner, text);
    last = m.index + m[0].length;
    const [, sigil, name] = m as unknown as [string, string, string];
    const line = lineAt(m.index);
    names.add(name);
    if (sigil === "#" || sigil === "^") {
      const node = { kind: "section" as const, name, inverted: sigil === "^", line, children: [] };
      current().push(node);
      stack.push({ node, state: snapshotState(scanner) });
    } else if (sigil === "/") {
      const open = stack.pop();
      if (!open || open.node.name !== name) {
        throw new TemplateError(`line ${line}: {{/${name}}} closes ${open ? `{{#${open.node.name}}} (line ${open.node.line})` : "nothing"}`);
      }
      if (snapshotState(scanner) !== open.state) {
        throw new TemplateError(`line ${open.node.line}: section {{#${name}}} opens or closes a quote, comment or heredoc; keep sections balanced`);
      }
    } else {
      const problem = placeholderProblem(scanner);
      if (problem) throw new TemplateError(`line ${line}: {{${name}}} is ${problem}; put placeholders in plain word position, they are quoted for you`);
      if (!stack.some((s) => s.node.name === name && !s.node.inverted)) unguarded.add(name);
      current().push({ kind: "value", name, line });
    }
  }
  const tail = source.slice(last);
  if (tail.includes("{{") || tail.includes("}}")) throw new TemplateError(`line ${lineAt(last)}: malformed tag`);
  if (tail) root.push({ kind: "text", text: tail });
  const unclosed = stack.pop();
  if (unclosed) throw new TemplateError(`line ${unclosed.node.line}: {{#${unclosed.node.name}}} is never closed`);
  return { source: original, nodes: root, names, unguarded };
}

/** Renders a compiled template; every value is quoted. Throws TemplateError for a bare placeholder with no value. */
export function renderTemplate(template: CompiledTemplate, values: Readonly<Record<string, unknown>>): string {
  return renderTemplateWithSpans(template, values).script;
}

/** Where one rendered value (its quoted text) stands in the rendered script. */
export interface RenderedValueSpan {
  name: string;
  /** The template line of the placeholder. */
  line: number;
  start: number;
  end: number;
}

/** Renders like renderTemplate and also says where each placeholder's quoted value landed (for the parse check). */
export function renderTemplateWithSpans(template: CompiledTemplate, values: Readonly<Record<string, unknown>>): { script: string; spans: RenderedValueSpan[] } {
  const out = { script: "", spans: [] as RenderedValueSpan[] };
  renderNodes(template.nodes, values, out);
  return out;
}

function renderNodes(nodes: TemplateNode[], values: Readonly<Record<string, unknown>>, out: { script: string; spans: RenderedValueSpan[] }): void {
  for (const node of nodes) {
    if (node.kind === "text") out.script += node.text;
    else if (node.kind === "section") {
      if (isTruthy(values[node.name]) !== node.inverted) renderNodes(node.children, values, out);
    } else {
      for (const [i, word] of renderValue(node.name, values[node.name], node.line).entries()) {
        if (i > 0) out.script += " ";
        const start = out.script.length;
        out.script += word;
        if (word !== "") out.spans.push({ name: node.name, line: node.line, start, end: out.script.length });
      }
    }
  }
}

/** The quoted words of one value: one per array element, otherwise one. */
function renderValue(name: string, value: unknown, line: number): string[] {
  if (value === undefined || value === null) {
    throw new TemplateError(`line ${line}: {{${name}}} has no value; wrap it in {{#${name}}}…{{/${name}}} or give a default`);
  }
  if (Array.isArray(value)) return value.map((v) => quoteShellWord(String(v)));
  if (typeof value === "object") return [quoteShellWord(JSON.stringify(value))];
  return [quoteShellWord(String(value))];
}

function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === "string" || Array.isArray(value)) return value.length > 0;
  return true;
}
