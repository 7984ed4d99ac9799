/**
 * Character checks that make a line or a command name impossible to judge by eye:
 * NUL and other control characters, invisible/format characters (zero-width, bidi
 * overrides: "Trojan Source"), and non-ASCII letters in command names (Cyrillic `р` in `rм`).
 */

// Cf = format (zero-width joiners, bidi controls, soft hyphen...), Zl/Zp = line/paragraph separators,
// Zs except U+0020 = odd spaces (NBSP, ideographic space...) that look like a word break but are not one.
const INVISIBLE_RE = /[\p{Cf}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u180e\u115f\u1160\u3164\uffa0]/u;
const INVISIBLE_GLOBAL_RE = new RegExp(INVISIBLE_RE.source, "gu");
// C0/C1 controls except tab and newline; a CR is tolerated only as part of CRLF.
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\r(?!\n)/;

/**
 * Why a whole line cannot be analysed safely, or undefined when its characters are fine.
 * @example lineCharacterProblem("ls\u0000") // "NUL character in the line"
 */
export function lineCharacterProblem(line: string): string | undefined {
  return lineControlProblem(line) ?? lineInvisibleProblem(line);
}

/** NUL and control characters: a problem wherever they stand. */
export function lineControlProblem(line: string): string | undefined {
  if (line.includes("\u0000")) return "NUL character in the line";
  const control = CONTROL_RE.exec(line);
  if (control) return `control character ${codePoint(control[0])} in the line`;
  return undefined;
}

/** Invisible and format characters: a problem unless they are data inside quotes (see quoted-characters.ts). */
export function lineInvisibleProblem(line: string): string | undefined {
  const invisible = INVISIBLE_RE.exec(line);
  return invisible ? `invisible or format character ${codePoint(invisible[0])} in the line` : undefined;
}

/** Offsets (JS string indices) of every invisible or format character in the line. */
export function invisibleCharacterOffsets(line: string): number[] {
  const offsets: number[] = [];
  for (const m of line.matchAll(INVISIBLE_GLOBAL_RE)) offsets.push(m.index);
  return offsets;
}

/**
 * Why a command name is suspicious (non-ASCII look-alikes), or undefined.
 * @example commandNameProblem("rм") // "non-ASCII character U+043C in command name"
 */
export function commandNameProblem(name: string): string | undefined {
  for (const ch of name) {
    const code = ch.codePointAt(0) ?? 0;
    if (code > 0x7e || code < 0x20) return `non-ASCII character ${codePoint(ch)} in command name "${name}"`;
  }
  return undefined;
}

function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}
