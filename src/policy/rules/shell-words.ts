import type { ShellSegment } from "../shell/types.js";

/**
 * A small POSIX-ish shell word splitter. It is NOT a security analyser (that is
 * src/policy/shell/, built on tree-sitter-bash). It exists so that rule patterns can
 * be written with shell quoting, and so that rule examples can be checked at load
 * when no real parser is injected (tests, tools).
 */

/** A word with its quote-removed value; `quoted` is true if any part of it was quoted or escaped. */
export interface ShellWord {
  kind: "word";
  value: string;
  quoted: boolean;
  /** true if an unquoted or double-quoted `$` or a backtick appears: the value is not static. */
  dynamic: boolean;
}

/** A control or redirection operator: `|`, `||`, `&&`, `;`, `&`, `|&`, newline, `(`, `)`, `>`, `>>`, `<`, `2>`... */
export interface ShellOperator {
  kind: "op";
  value: string;
}

export type ShellToken = ShellWord | ShellOperator;

export class ShellSyntaxError extends Error {
  override name = "ShellSyntaxError";
}

const CONTROL_OPS = ["&&", "||", "|&", ";;", "|", "&", ";", "\n", "(", ")"];
const REDIRECT_OPS = ["&>>", "&>", ">>", ">|", ">&", "<<<", "<<", "<&", "<>", ">", "<"];
const BLANK = /[ \t\r]/;

/**
 * Splits a shell line into words and operators, handling '…', "…" (with \ escapes), bare
 * backslashes and `#` comments. Throws ShellSyntaxError on an unterminated quote.
 *
 * @example tokenizeShell(`git commit -m "a b"`) // words: git, commit, -m, "a b"
 */
export function tokenizeShell(line: string): ShellToken[] {
  const tokens: ShellToken[] = [];
  let i = 0;
  let word: ShellWord | undefined;
  const flush = (): void => {
    if (word) tokens.push(word);
    word = undefined;
  };
  const current = (): ShellWord => {
    word ??= { kind: "word", value: "", quoted: false, dynamic: false };
    return word;
  };
  while (i < line.length) {
    const ch = line[i]!;
    if (BLANK.test(ch)) {
      flush();
      i++;
      continue;
    }
    if (ch === "#" && !word) {
      while (i < line.length && line[i] !== "\n") i++;
      continue;
    }
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError(`unterminated single quote at offset ${i}`);
      const w = current();
      w.value += line.slice(i + 1, end);
      w.quoted = true;
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      const w = current();
      w.quoted = true;
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i]!;
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === "\\" && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) {
          if (line[i + 1] !== "\n") w.value += line[i + 1];
          i += 2;
          continue;
        }
        if (c === "$" || c === "`") w.dynamic = true;
        w.value += c;
        i++;
      }
      if (!closed) throw new ShellSyntaxError("unterminated double quote");
      continue;
    }
    if (ch === "\\") {
      const next = line[i + 1];
      if (next === undefined) throw new ShellSyntaxError("trailing backslash");
      i += 2;
      if (next === "\n") continue; // line continuation
      const w = current();
      w.value += next;
      w.quoted = true;
      continue;
    }
    // An fd number directly before a redirection (`2>`) belongs to the operator.
    const fdMatch = !word ? /^\d+(?=[<>])/.exec(line.slice(i)) : null;
    const rest = line.slice(i + (fdMatch ? fdMatch[0].length : 0));
    const redirect = REDIRECT_OPS.find((op) => rest.startsWith(op));
    if (redirect) {
      flush();
      const text = (fdMatch?.[0] ?? "") + redirect;
      tokens.push({ kind: "op", value: text });
      i += text.length;
      continue;
    }
    const control = CONTROL_OPS.find((op) => line.startsWith(op, i));
    if (control) {
      flush();
      tokens.push({ kind: "op", value: control });
      i += control.length;
      continue;
    }
    if (ch === "$" || ch === "`") current().dynamic = true;
    current().value += ch;
    i++;
  }
  flush();
  return tokens;
}

function isRedirect(op: string): boolean {
  return /[<>]/.test(op);
}

/**
 * Default `toSegments` for rule examples: one segment per simple command, split at
 * `|`, `&&`, `||`, `;`, `&`, newlines and parentheses; redirections are recorded, not argv.
 * A segment whose command word is dynamic (`$x`, backticks) is opaque, conservatively.
 * Wrappers are not peeled and substitutions are not descended into: inject the real
 * parser (src/policy/shell) wherever decisions are made.
 *
 * @example simpleSegments("ls -la | wc -l").map((s) => s.argv) // [["ls","-la"],["wc","-l"]]
 */
export function simpleSegments(line: string): ShellSegment[] {
  const tokens = tokenizeShell(line);
  const segments: ShellSegment[] = [];
  let words: ShellWord[] = [];
  let redirects: ShellSegment["redirects"] = [];
  const flush = (): void => {
    if (words.length > 0) {
      const opaque = words[0]!.dynamic;
      segments.push({
        argv: words.map((w) => w.value),
        wrappers: [],
        redirects,
        opaque,
        ...(opaque ? { opaqueReason: "dynamic command word" } : {}),
        text: words.map((w) => w.value).join(" "),
        context: [],
      });
    }
    words = [];
    redirects = [];
  };
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    if (token.kind === "word") {
      words.push(token);
      continue;
    }
    if (isRedirect(token.value)) {
      const target = tokens[t + 1];
      if (target?.kind !== "word") throw new ShellSyntaxError(`redirection '${token.value}' without a target`);
      const fd = /^\d+/.exec(token.value)?.[0];
      redirects.push({
        op: token.value.replace(/^\d+/, ""),
        ...(fd !== undefined ? { fd: Number(fd) } : {}),
        ...(target.dynamic ? {} : { target: target.value }),
      });
      t++;
      continue;
    }
    flush();
  }
  flush();
  return segments;
}
