/**
 * What a prompt line is: a slash command (`/plan rm -rf ~`), an ad-hoc shell line (`!git status`), or a named
 * command with its arguments (`hello-world --name Ada`), split into words the way a shell would split them.
 */

/** One word of the line, with where it stands (UTF-16 offsets into the line). */
export interface Word {
  /** The word's value: quotes removed, backslash escapes resolved. */
  value: string;
  start: number;
  end: number;
}

/**
 * Splits a line into words: whitespace separates them, '…' and "…" quote, a backslash escapes the next
 * character. An unclosed quote runs to the end of the line (the user is still typing).
 *
 * @example
 * splitWords(`hello-world --name "Ada L"`).map((w) => w.value) // ["hello-world", "--name", "Ada L"]
 */
export function splitWords(line: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    const start = i;
    let value = "";
    let quote: string | undefined;
    for (; i < line.length; i++) {
      const ch = line[i]!;
      if (quote) {
        if (ch === quote) quote = undefined;
        else if (ch === "\\" && quote === '"' && i + 1 < line.length) value += line[++i];
        else value += ch;
      } else if (ch === "'" || ch === '"') quote = ch;
      else if (ch === "\\" && i + 1 < line.length) value += line[++i];
      else if (/\s/.test(ch)) break;
      else value += ch;
    }
    words.push({ value, start, end: i });
  }
  return words;
}

export type PromptLine =
  | { kind: "empty" }
  | { kind: "slash"; name: string; rest: string; args: string[] }
  | { kind: "shell"; line: string }
  | { kind: "command"; name: string; args: string[] };

/**
 * @example
 * parsePromptLine("/plan rm -rf ~") // { kind: "slash", name: "plan", rest: "rm -rf ~", args: ["rm", "-rf", "~"] }
 * parsePromptLine("!git status")    // { kind: "shell", line: "git status" }
 */
export function parsePromptLine(text: string): PromptLine {
  const line = text.trim();
  if (!line) return { kind: "empty" };
  if (line.startsWith("!")) return { kind: "shell", line: line.slice(1).trim() };
  if (line.startsWith("/")) {
    const space = line.search(/\s/);
    const name = (space < 0 ? line.slice(1) : line.slice(1, space)).toLowerCase();
    const rest = space < 0 ? "" : line.slice(space).trim();
    return { kind: "slash", name, rest, args: splitWords(rest).map((w) => w.value) };
  }
  const [first, ...args] = splitWords(line).map((w) => w.value);
  return { kind: "command", name: first ?? "", args };
}
