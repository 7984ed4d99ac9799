/**
 * A small lexical scanner over shell template text that knows only what decides whether a
 * placeholder would land in plain word context: quotes, backslashes, comments and heredoc bodies.
 * A placeholder anywhere else could let a value become syntax (or be re-interpreted), so the
 * template compiler refuses it.
 */
export type ScanState = "word" | "single" | "double" | "ansi" | "backtick" | "comment" | "heredoc";

export interface Scanner {
  state: ScanState;
  /** The character before the current position was an unconsumed backslash or `$`. */
  dangling: "" | "\\" | "$";
  pendingHeredocs: { delimiter: string; stripTabs: boolean }[];
  heredoc?: { delimiter: string; stripTabs: boolean; line: string };
  /**
   * A heredoc operator whose delimiter is not a fixed word in this text (it runs into a tag, or has `$`/backticks):
   * where its body ends cannot be known, so no placeholder may follow it.
   */
  unknownHeredoc: boolean;
  prev: string;
}

export function newScanner(): Scanner {
  return { state: "word", dangling: "", pendingHeredocs: [], unknownHeredoc: false, prev: "\n" };
}

const WORD_BREAK = new Set([" ", "\t", "\n", ";", "|", "&", "(", ")", "<", ">"]);

/** Feeds literal template text through the scanner. */
export function scan(s: Scanner, text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    s.dangling = "";
    switch (s.state) {
      case "word":
        if (c === "\\") {
          if (i + 1 < text.length) i++;
          else s.dangling = "\\";
        } else if (c === "'") s.state = "single";
        else if (c === '"') s.state = "double";
        else if (c === "`") s.state = "backtick";
        else if (c === "$" && text[i + 1] === "'") {
          s.state = "ansi";
          i++;
        } else if (c === "$") {
          if (i + 1 === text.length) s.dangling = "$";
        } else if (c === "#" && WORD_BREAK.has(s.prev)) s.state = "comment";
        else if (c === "<" && text[i + 1] === "<") {
          if (text[i + 2] === "<") i += 2; // `<<<` is a here-string: a plain word follows
          else i = readHeredocOperator(s, text, i) - 1;
        } else if (c === "\n") startHeredocIfPending(s);
        break;
      case "single":
        if (c === "'") s.state = "word";
        break;
      case "ansi":
        if (c === "\\") i++;
        else if (c === "'") s.state = "word";
        break;
      case "double":
        if (c === "\\") i++;
        else if (c === '"') s.state = "word";
        break;
      case "backtick":
        if (c === "\\") i++;
        else if (c === "`") s.state = "word";
        break;
      case "comment":
        if (c === "\n") {
          s.state = "word";
          startHeredocIfPending(s);
        }
        break;
      case "heredoc": {
        const h = s.heredoc!;
        if (c === "\n") {
          const line = h.stripTabs ? h.line.replace(/^\t+/, "") : h.line;
          if (line === h.delimiter) {
            s.heredoc = undefined;
            s.state = "word";
            startHeredocIfPending(s);
          } else h.line = "";
        } else h.line += c;
        break;
      }
    }
    s.prev = c;
  }
}

/** A delimiter the shell and the grammar agree on: a plain word, or one wholly in single or plain double quotes. */
const FIXED_DELIMITER = /^(?:([^\s;|&()<>'"\\$`#][^\s;|&()<>'"\\$`]*)|'([^']+)'|"([^"\\$`]+)")(?=[\s;|&()<>]|$)/;

/**
 * Reads `<<[-] delimiter` at `start`. The delimiter is one whole shell word: `@@`, `!` and `%%` are delimiters too.
 * A delimiter built with backslashes, `$` or mixed quoting is treated as unknown: shells and parsers disagree on
 * such words, and a wrong guess about where the body ends is exactly how a value got into code once. A leading `#`
 * starts a comment, not a delimiter.
 * Returns the index after the operator and its delimiter.
 */
function readHeredocOperator(s: Scanner, text: string, start: number): number {
  let i = start + 2;
  const stripTabs = text[i] === "-";
  if (stripTabs) i++;
  while (text[i] === " " || text[i] === "\t") i++;
  const m = FIXED_DELIMITER.exec(text.slice(i));
  // Running into the end of this text means a tag (or the template's end) is part of the delimiter.
  if (m && i + m[0].length < text.length) {
    s.pendingHeredocs.push({ delimiter: m[1] ?? m[2] ?? m[3]!, stripTabs });
    return i + m[0].length;
  }
  s.unknownHeredoc = true;
  while (i < text.length && !WORD_BREAK.has(text[i]!)) i++;
  return i;
}

function startHeredocIfPending(s: Scanner): void {
  const next = s.pendingHeredocs.shift();
  if (next) {
    s.state = "heredoc";
    s.heredoc = { ...next, line: "" };
  }
}

/** Why a placeholder may not stand here, or undefined if it may. */
export function placeholderProblem(s: Scanner): string | undefined {
  if (s.unknownHeredoc) return "after a heredoc whose delimiter is not a fixed word (where its body ends cannot be known)";
  if (s.dangling === "\\") return "directly after a backslash";
  if (s.dangling === "$") return "directly after '$'";
  switch (s.state) {
    case "word":
      return undefined;
    case "single":
      return "inside single quotes";
    case "double":
      return "inside double quotes";
    case "ansi":
      return "inside $'…' quotes";
    case "backtick":
      return "inside backticks (use $(…))";
    case "comment":
      return "inside a comment";
    case "heredoc":
      return "inside a heredoc body";
  }
}

export function snapshotState(s: Scanner): string {
  return `${s.state}|${s.pendingHeredocs.length}|${s.unknownHeredoc}`;
}
