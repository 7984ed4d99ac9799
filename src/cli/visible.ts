/**
 * Untrusted text made visible before it reaches a terminal. Definitions, parameter values, audit records and guest
 * output names can carry ANSI/OSC escape sequences: printed raw, OSC 52 writes the user's clipboard, others retitle the
 * window, hide text or rewrite what was printed before. Every CLI message goes through here, so no caller has to
 * remember; only firebreak's own colours (exact SGR codes, added by `paint`) pass through.
 */

/** C0 controls except tab and newline, DEL, C1 controls; bidi and other format characters (Cf), line/paragraph separators. */
const HIDDEN_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu;
const HAS_HIDDEN_RE = new RegExp(HIDDEN_RE.source, "u");
/** The colour sequences `paint` emits (see output.ts CODES), and reset. */
const OWN_SGR_RE = /^\x1b\[(?:0|1|2|31|32|33|34)m/;
const NAMED: Record<string, string> = { "\r": "\\r", "\x1b": "\\e", "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v" };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
}

/**
 * Text with every control and invisible format character shown as an escape (`\e`, `\x9b`, `\u{202e}`).
 * With `ownColours`, the exact colour codes firebreak itself uses are kept.
 * @example visibleText("hi\x1b]52;c;aGk=\x07") // "hi\\e]52;c;aGk=\\a"
 */
export function visibleText(text: string, options: { ownColours?: boolean } = {}): string {
  if (!HAS_HIDDEN_RE.test(text)) return text;
  return text.replace(HIDDEN_RE, (ch, offset: number) => {
    if (ch === "\x1b" && options.ownColours && OWN_SGR_RE.test(text.slice(offset, offset + 5))) return ch;
    return escapeChar(ch);
  });
}

/**
 * JSON text with the characters JSON.stringify leaves raw (C1 controls, format characters) written as `\uXXXX`,
 * so the document decodes to the same value and shows nothing hidden on a terminal.
 */
export function visibleJson(json: string): string {
  return json.replace(/[\u007f-\u009f\p{Cf}\u2028\u2029]/gu, (ch) => [...Array(ch.length).keys()].map((i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, "0")}`).join(""));
}
