/**
 * Characters that never need quoting in a POSIX shell word (no glob, tilde, brace or expansion chars). No `=`: an
 * unquoted `a=b` in command position would be a variable assignment, not a word.
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;

/**
 * Quotes a value as exactly one literal POSIX shell word.
 * NUL cannot be carried by any argv element, so it is rejected rather than silently truncated.
 *
 * @example
 * quoteShellWord("it's") // 'it'\''s'
 * quoteShellWord("a.txt") // a.txt
 */
export function quoteShellWord(value: string): string {
  if (value.includes("\0")) throw new RangeError("a shell word cannot contain a NUL byte");
  if (SAFE_WORD.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
