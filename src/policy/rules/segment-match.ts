import type { ShellSegment } from "../shell/types.js";
import { type CommandPattern, matchCommandPattern } from "./pattern.js";

/**
 * How strictly a pattern is applied to a parsed segment.
 * - "restrict" (deny, ask, blacklist): argv[0] also matches by basename, and the pattern is tried
 *   against argv alone and against argv with the peeled wrappers put back (`sudo rm *` matches
 *   `sudo rm -rf x`), so neither a path nor a wrapper dodges a restriction. Opaque segments are
 *   matched on whatever argv the parser recovered.
 * - "permit" (allow): argv[0] must match exactly, a segment run through wrappers is only covered by
 *   a pattern that names the wrappers (`timeout npm test *`; wrapper flags are not part of it), and
 *   an opaque segment never matches.
 */
export type MatchStrictness = "restrict" | "permit";

/**
 * true if any of the patterns matches the segment.
 *
 * @example segmentMatches([parseCommandPattern("rm *")], segment, "restrict")
 */
export function segmentMatches(
  patterns: readonly CommandPattern[],
  segment: ShellSegment,
  strictness: MatchStrictness,
): boolean {
  if (strictness === "permit") {
    if (segment.opaque) return false;
    const argv = [...segment.wrappers, ...segment.argv];
    return patterns.some((pattern) => matchCommandPattern(pattern, argv, "exact"));
  }
  const candidates: string[][] = [segment.argv];
  for (let i = 0; i < segment.wrappers.length; i++) candidates.push([...segment.wrappers.slice(i), ...segment.argv]);
  return patterns.some((pattern) =>
    candidates.some((argv) => argv.length > 0 && matchCommandPattern(pattern, argv, "basename")),
  );
}
