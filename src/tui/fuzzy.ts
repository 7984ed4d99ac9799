/**
 * Fuzzy matching for the prompt's suggestions: what was typed matched against a name, case-insensitively. A
 * prefix beats a substring, which beats a subsequence (the typed characters in order with gaps); shorter names
 * and earlier matches rank higher. Pure and allocation-light: it runs on every keystroke over every name.
 */

/** Scores at or above this mean the name starts with what was typed. */
export const PREFIX_SCORE = 3000;

/**
 * How well `typed` matches `candidate` (higher is better), or -1 for no match. An empty `typed` matches
 * everything with score 0.
 *
 * @example
 * fuzzyScore("hel", "hello-world") > fuzzyScore("hel", "shell") // true: prefix beats substring
 * fuzzyScore("hw", "hello-world")                               // a subsequence match (> 0)
 * fuzzyScore("el", "shell-x")                                   // a substring (> 0); "ex" would not match: no word starts with e
 * fuzzyScore("xyz", "hello-world")                              // -1
 */
export function fuzzyScore(typed: string, candidate: string): number {
  if (!typed) return 0;
  const q = typed.toLowerCase();
  const c = candidate.toLowerCase();
  if (c.startsWith(q)) return PREFIX_SCORE + 500 - Math.min(c.length, 500);
  const at = c.indexOf(q);
  if (at >= 0) return 2000 - Math.min(at, 500) - Math.min(c.length, 499);
  // Subsequence: the first typed character at a word start (else every long name matches something), then each
  // typed character after the previous one; fewer gaps and word starts rank higher.
  let from = -1;
  do from = c.indexOf(q[0]!, from + 1);
  while (from > 0 && !/[-_:\s/]/.test(c[from - 1]!));
  if (from < 0) return -1;
  let score = 1000 - from;
  from++;
  for (let i = 1; i < q.length; i++) {
    const found = c.indexOf(q[i]!, from);
    if (found < 0) return -1;
    const wordStart = found === 0 || /[-_:\s/]/.test(c[found - 1]!);
    score -= (found - from) * (wordStart ? 1 : 4);
    from = found + 1;
  }
  return Math.max(1, score - Math.min(c.length, 500));
}
