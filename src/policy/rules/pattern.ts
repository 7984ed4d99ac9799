import { ShellSyntaxError, tokenizeShell } from "./shell-words.js";

/**
 * Command patterns, used by `[policy] rules` and `[policy] blacklist`.
 *
 * A pattern is one simple command written like a shell line and matched word by word
 * against a segment's normalised argv:
 *   - a bare `*` word matches any number of words (zero or more), e.g. `git push *`;
 *   - a bare `?` word matches exactly one word, e.g. `git ? --force`;
 *   - any other word matches that exact word (case-sensitive). Quote a wildcard to
 *     match it literally: `'*'`, `"?"` or `\*`.
 *   - a `*` or `?` glued to other text (`--force*`) is an error, not a literal: it reads like a
 *     shell glob, and as a literal it would silently never match. Write `--force *` (the word
 *     `--force`, then anything) and list `--force-with-lease *` too, or quote it to mean the text.
 *   - without a trailing `*` the pattern is anchored: `git status` matches only
 *     `git status`, not `git status --short` (write `git status *` for that).
 *   - the first word may be matched against the basename of argv[0]
 *     (`rm -rf *` also matches `/bin/rm -rf x`), see {@link CommandNameMode}.
 * A pattern cannot contain operators (`|`, `;`, `&&`, redirections): it is one command.
 */

export type PatternWord = { kind: "literal"; value: string } | { kind: "any-one" } | { kind: "any-rest" };

export interface CommandPattern {
  /** The pattern as written in the config. */
  source: string;
  words: PatternWord[];
}

/**
 * How argv[0] is compared with the pattern's first literal word:
 * - "basename": `/usr/bin/rm` matches `rm` (used by deny, ask and the blacklist: a path must not dodge them);
 * - "exact": `/usr/bin/git` or `./git` does not match `git` (used by allow: a path may be another program).
 */
export type CommandNameMode = "basename" | "exact";

export class PatternError extends Error {
  override name = "PatternError";
}

/**
 * Parses a pattern. Throws PatternError if it is empty, unparsable or contains operators.
 *
 * @example parseCommandPattern("git push *").words.length // 3
 */
export function parseCommandPattern(source: string): CommandPattern {
  let tokens: ReturnType<typeof tokenizeShell>;
  try {
    tokens = tokenizeShell(source);
  } catch (error) {
    if (error instanceof ShellSyntaxError) throw new PatternError(`pattern '${source}': ${error.message}`);
    throw error;
  }
  const words: PatternWord[] = [];
  for (const token of tokens) {
    if (token.kind === "op") {
      throw new PatternError(
        `pattern '${source}' contains the operator '${token.value.trim() || "newline"}': a pattern is one simple command`,
      );
    }
    if (!token.quoted && token.value !== "*" && token.value !== "?" && /[*?]/.test(token.value)) {
      throw new PatternError(
        `pattern '${source}': '${token.value}' glues a wildcard to text; in firebreak patterns a bare '*' is any number of words and a bare '?' one word, matched whole (write '${token.value.replace(/[*?]+$/, "")} *' and list each spelling, or quote the word to match it literally)`,
      );
    }
    if (!token.quoted && token.value === "*") words.push({ kind: "any-rest" });
    else if (!token.quoted && token.value === "?") words.push({ kind: "any-one" });
    else words.push({ kind: "literal", value: token.value });
  }
  if (words.length === 0) throw new PatternError("empty pattern");
  return { source, words };
}

/** true if the pattern's first word is a wildcard (it then matches any command). */
export function startsWithWildcard(pattern: CommandPattern): boolean {
  return pattern.words[0]?.kind !== "literal";
}

function basename(word: string): string {
  const slash = word.lastIndexOf("/");
  return slash >= 0 ? word.slice(slash + 1) : word;
}

function wordMatches(pattern: PatternWord, word: string, index: number, mode: CommandNameMode): boolean {
  if (pattern.kind !== "literal") return true;
  if (pattern.value === word) return true;
  // Only a pattern word without a slash is a bare command name that may match a path's basename.
  return index === 0 && mode === "basename" && !pattern.value.includes("/") && basename(word) === pattern.value;
}

/**
 * Matches argv against a pattern (word-level glob, backtracking over `*`).
 *
 * @example matchCommandPattern(parseCommandPattern("git push *"), ["git","push","-f"], "exact") // true
 */
export function matchCommandPattern(pattern: CommandPattern, argv: readonly string[], mode: CommandNameMode): boolean {
  const { words } = pattern;
  let p = 0;
  let a = 0;
  let starP = -1;
  let starA = 0;
  while (a < argv.length) {
    const pw = words[p];
    if (pw && pw.kind === "any-rest") {
      starP = p++;
      starA = a;
    } else if (pw && wordMatches(pw, argv[a]!, a, mode)) {
      p++;
      a++;
    } else if (starP >= 0) {
      p = starP + 1;
      a = ++starA;
    } else {
      return false;
    }
  }
  while (words[p]?.kind === "any-rest") p++;
  return p === words.length;
}
