/**
 * Variables assigned a literal earlier on the same line (`X=rm; $X -rf ~`): following them turns a command name that
 * was only "known at run time" into the command that really runs, so it is judged instead of only marked opaque.
 *
 * Only what is certain is followed: an assignment standing as its own statement at the top level of the line, or first
 * in a `&&`/`||` list (not in a pipeline, subshell, condition, later list element or function, where it may not happen
 * or not be seen), with a value without
 * expansions, to a name that appears nowhere else in the line except as `$NAME`/`${NAME}` (so no `read`, `for`,
 * `unset`, `export`, second assignment or `+=` can change it). Everything else stays opaque.
 */
import type { SyntaxNode } from "./syntax-tree.js";
import { normaliseWord } from "./words.js";

export interface LiteralVariable {
  value: string;
  /** Where the assignment ends: only uses after it see the value. */
  end: number;
}


/**
 * The literal variables of a parsed line.
 * @example collectLiteralVariables(parse("X=rm; $X -rf ~"), "X=rm; $X -rf ~").get("X") // { value: "rm", end: 4 }
 */
export function collectLiteralVariables(root: SyntaxNode, source: string): Map<string, LiteralVariable> {
  const found = new Map<string, LiteralVariable>();
  const consider = (node: SyntaxNode | undefined): void => {
    if (node?.type === "list") consider(node.children.find((c) => c.named)); // only `a` of `a && b` always runs
    else if (node?.type === "variable_assignment") {
      const literal = literalAssignment(node, source);
      if (literal && assignedOnlyHere(literal.name, source)) found.set(literal.name, { value: literal.value, end: node.end });
    }
  };
  for (const statement of root.children) consider(statement);
  return found;
}

function literalAssignment(node: SyntaxNode, source: string): { name: string; value: string } | undefined {
  const [name, operator, ...value] = node.children;
  if (name?.type !== "variable_name" || operator?.type !== "=" || value.length === 0) return undefined;
  const words = normaliseWord(value, source);
  if (words.length !== 1 || words.some((w) => w.dynamic || w.glob || w.braceOverflow || w.hasNul)) return undefined;
  return { name: source.slice(name.start, name.end), value: (words[0] as { value: string }).value };
}

/** The name occurs once in the line outside `$NAME`/`${NAME}` uses: at its assignment. */
function assignedOnlyHere(name: string, source: string): boolean {
  const bare = new RegExp(`(?<![A-Za-z0-9_$])(?<!\\$\\{)${name}(?![A-Za-z0-9_])`, "g");
  return (source.match(bare) ?? []).length === 1;
}

/**
 * The words a command name `$NAME`/`${NAME}` expands to when NAME is a literal variable set before `position`:
 * unquoted, the value is split on blanks; a value with glob characters is left alone.
 */
export function expandLiteralCommandName(text: string, position: number, literals: ReadonlyMap<string, LiteralVariable> | undefined): string[] | undefined {
  if (!literals || literals.size === 0) return undefined;
  const m = /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/.exec(text);
  const literal = m ? literals.get((m[1] ?? m[2]) as string) : undefined;
  if (!literal || literal.end > position || /[*?[]/.test(literal.value)) return undefined;
  const words = literal.value.split(/[ \t\n]+/).filter((w) => w !== "");
  return words.length > 0 ? words : undefined;
}
