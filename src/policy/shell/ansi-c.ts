/**
 * Decoding of bash ANSI-C quoting, `$'…'`, the way bash itself does it, so that
 * `$'\x72m'` is judged as `rm`.
 */

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\u0007",
  b: "\b",
  e: "\u001b",
  E: "\u001b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "?": "?",
};

const OCTAL_RE = /^[0-7]{1,3}/;
const HEX2_RE = /^[0-9a-fA-F]{1,2}/;
const HEX4_RE = /^[0-9a-fA-F]{1,4}/;
const HEX8_RE = /^[0-9a-fA-F]{1,8}/;
const MAX_CODE_POINT = 0x10ffff;

/**
 * Decodes the body of a `$'…'` string (without `$'` and `'`). A NUL stays in the result: bash cuts
 * the string there but zsh keeps it, so callers treat it as a problem rather than guess.
 * @example decodeAnsiC("\\x72m") // "rm"
 */
export function decodeAnsiC(body: string): string {
  let out = "";
  let i = 0;
  while (i < body.length) {
    const ch = body[i] as string;
    if (ch !== "\\" || i + 1 >= body.length) {
      out += ch;
      i += 1;
      continue;
    }
    const next = body[i + 1] as string;
    const rest = body.slice(i + 1);
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    let decoded: { text: string; length: number } | undefined;
    if (OCTAL_RE.test(rest)) {
      const digits = (OCTAL_RE.exec(rest) as RegExpExecArray)[0];
      decoded = { text: String.fromCharCode(Number.parseInt(digits, 8) & 0xff), length: digits.length };
    } else if (next === "x") decoded = hexEscape(rest.slice(1), HEX2_RE);
    else if (next === "u") decoded = hexEscape(rest.slice(1), HEX4_RE);
    else if (next === "U") decoded = hexEscape(rest.slice(1), HEX8_RE);
    else if (next === "c" && rest.length > 1) {
      // \cX: control character; \c? is DEL
      const target = rest[1] as string;
      const code = target === "?" ? 0x7f : target.toUpperCase().charCodeAt(0) & 0x1f;
      decoded = { text: String.fromCharCode(code), length: 2 };
    }
    if (decoded) {
      const isXuU = next === "x" || next === "u" || next === "U";
      out += decoded.text;
      i += 1 + decoded.length + (isXuU ? 1 : 0);
    } else {
      out += `\\${next}`; // unknown escapes stay as written
      i += 2;
    }
  }
  return out;
}

function hexEscape(rest: string, re: RegExp): { text: string; length: number } | undefined {
  const match = re.exec(rest);
  if (!match) return undefined;
  const code = Number.parseInt(match[0], 16);
  const text = code > MAX_CODE_POINT ? "\ufffd" : String.fromCodePoint(code);
  return { text, length: match[0].length };
}
