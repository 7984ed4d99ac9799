/**
 * How terms and concepts are written down in a thesaurus (Terraphim's `NormalizedTermValue`): trimmed and
 * lowercased. `normalizeTerm("  Claude Code ")` is `"claude code"`.
 *
 * @example
 * normalizeTerm("  PNPM Install ") // "pnpm install"
 */
export function normalizeTerm(raw: string): string {
  return raw.trim().toLowerCase();
}

/**
 * The loose form used to resolve required concepts: normalized, then every run of spaces, `_` and `-`
 * becomes one space. `continuous_integration`, `Continuous-Integration` and `continuous  integration` all
 * have the loose key `continuous integration`.
 *
 * @example
 * looseKey("Data_Protection") // "data protection"
 */
export function looseKey(raw: string): string {
  return normalizeTerm(raw)
    .replace(/[\s_-]+/g, " ")
    .trim();
}
