/**
 * Code-unit order, the same on every platform and locale (unlike `localeCompare`, whose first call also costs a
 * short-lived CLI call 13–25 ms to set up ICU's collator).
 *
 * @example ["b", "B", "a"].sort(compareStrings) // ["B", "a", "b"]
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
