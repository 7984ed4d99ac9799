/** The prompt's line editing as a pure function of (text, cursor) and a key, and history browsing. */

export interface EditState {
  text: string;
  cursor: number;
}

export type EditKey =
  | { kind: "insert"; text: string }
  | { kind: "backspace" | "delete" | "left" | "right" | "home" | "end" | "kill-line" | "kill-to-end" | "delete-word" | "word-left" | "word-right" };

export const EMPTY_EDIT: EditState = { text: "", cursor: 0 };

/**
 * @example
 * edit({ text: "hel", cursor: 3 }, { kind: "insert", text: "lo" }) // { text: "hello", cursor: 5 }
 * edit({ text: "a b", cursor: 3 }, { kind: "delete-word" })        // { text: "a ", cursor: 2 }
 */
export function edit(s: EditState, key: EditKey): EditState {
  const { text, cursor } = s;
  switch (key.kind) {
    case "insert": {
      // Pasted text may carry newlines and control characters: they never reach the line.
      const clean = key.text.replace(/[\r\n\t]+/g, " ").replace(/[\u0000-\u001f\u007f-\u009f]/g, "");
      return { text: text.slice(0, cursor) + clean + text.slice(cursor), cursor: cursor + clean.length };
    }
    case "backspace":
      return cursor === 0 ? s : { text: text.slice(0, cursor - 1) + text.slice(cursor), cursor: cursor - 1 };
    case "delete":
      return cursor >= text.length ? s : { text: text.slice(0, cursor) + text.slice(cursor + 1), cursor };
    case "left":
      return { text, cursor: Math.max(0, cursor - 1) };
    case "right":
      return { text, cursor: Math.min(text.length, cursor + 1) };
    case "home":
      return { text, cursor: 0 };
    case "end":
      return { text, cursor: text.length };
    case "kill-line":
      return { text: text.slice(cursor), cursor: 0 };
    case "kill-to-end":
      return { text: text.slice(0, cursor), cursor };
    case "delete-word": {
      const start = wordStart(text, cursor);
      return { text: text.slice(0, start) + text.slice(cursor), cursor: start };
    }
    case "word-left":
      return { text, cursor: wordStart(text, cursor) };
    case "word-right": {
      let i = cursor;
      while (i < text.length && text[i] === " ") i++;
      while (i < text.length && text[i] !== " ") i++;
      return { text, cursor: i };
    }
  }
}

function wordStart(text: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && text[i - 1] === " ") i--;
  while (i > 0 && text[i - 1] !== " ") i--;
  return i;
}

/**
 * Browsing history with ↑/↓: position `entries.length` is the line being typed (kept as `draft`).
 *
 * @example
 * const b = new HistoryBrowser(() => ["a", "b"]);
 * b.up("x") // "b"; b.up("b") // "a"; b.down() // "b"; b.down() // "x"
 */
export class HistoryBrowser {
  private position: number;
  private draft = "";

  constructor(private readonly entries: () => readonly string[]) {
    this.position = entries().length;
  }

  up(current: string): string | undefined {
    const list = this.entries();
    if (this.position > list.length) this.position = list.length;
    if (this.position === list.length) this.draft = current;
    if (this.position === 0) return undefined;
    this.position--;
    return list[this.position];
  }

  down(): string | undefined {
    const list = this.entries();
    if (this.position >= list.length) return undefined;
    this.position++;
    return this.position === list.length ? this.draft : list[this.position];
  }

  /** After a line is submitted: back to a new line. */
  reset(): void {
    this.position = this.entries().length;
    this.draft = "";
  }
}
