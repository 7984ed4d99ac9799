/**
 * Reasons as a refusal shows them: each once, most important first (the engine orders them), findings that
 * differ only in where they were found folded into one line, and at most a screenful.
 */

/** How many reason lines a refusal shows; `--plan` shows them all. */
export const SHOWN_REASONS = 8;

const WHERE = " (in: ";

/**
 * Folds findings that differ only in their `(in: …)` part into one line that names the first place and
 * counts the others. Order is kept (by first appearance); exact repeats disappear.
 *
 * @example
 * foldReasons(["medium: reads $t (in: cat $t)", "medium: reads $t (in: wc $t)"])
 * // ["medium: reads $t (in: cat $t; and 1 more place)"]
 */
export function foldReasons(reasons: readonly string[]): string[] {
  const groups = new Map<string, { first: string; places: Set<string> }>();
  for (const reason of reasons) {
    const at = reason.lastIndexOf(WHERE);
    const key = at > 0 && reason.endsWith(")") ? reason.slice(0, at) : reason;
    const place = key === reason ? "" : reason.slice(at + WHERE.length, -1);
    const group = groups.get(key);
    if (group) group.places.add(place);
    else groups.set(key, { first: reason, places: new Set([place]) });
  }
  return [...groups].map(([key, { first, places }]) => {
    if (places.size < 2) return first;
    const [firstPlace] = places;
    const more = places.size - 1;
    return `${key}${WHERE}${firstPlace}; and ${more} more place${more === 1 ? "" : "s"})`;
  });
}

/** The reasons as `  - ` lines: folded, at most SHOWN_REASONS, then how many more `--plan` would show. */
export function reasonLines(reasons: readonly string[], prefix = "  - "): string[] {
  const folded = foldReasons(reasons);
  const lines = folded.slice(0, SHOWN_REASONS).map((r) => `${prefix}${r}`);
  if (folded.length > SHOWN_REASONS) lines.push(`${prefix.replace("- ", "")}(${folded.length - SHOWN_REASONS} more: --plan shows all)`);
  return lines;
}

/** The hint under a refusal when another configured role would allow the command. */
export function allowedRolesHint(roles: readonly string[] | undefined): string | undefined {
  if (!roles?.length) return undefined;
  const options = roles.map((r) => `--role ${r}`);
  return `allowed for role${roles.length === 1 ? "" : "s"} ${roles.join(", ")}: run it with ${options.join(" or ")}`;
}
