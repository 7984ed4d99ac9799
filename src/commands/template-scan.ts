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
  prev: string;
}

export function newScanner(): Scanner {
  return { state: "word", dangling: "", pendingHeredocs: [], prev: "\n" };
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
        else if (c === "<" && text[i + 1] === "<" && text[i + 2] !== "<") {
          const m = /^<<(-?)\s*(['"]?)([A-Za-z0-9_.-]+)\2/.exec(text.slice(i));
          if (m) {
            s.pendingHeredocs.push({ delimiter: m[3]!, stripTabs: m[1] === "-" });
            i += m[0].length - 1;
          }
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

function startHeredocIfPending(s: Scanner): void {
  const next = s.pendingHeredocs.shift();
  if (next) {
    s.state = "heredoc";
    s.heredoc = { ...next, line: "" };
  }
}

/** Why a placeholder may not stand here, or undefined if it may. */
export function placeholderProblem(s: Scanner): string | undefined {
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
  return `${s.state}|${s.pendingHeredocs.length}`;
}
