import { ConfigError } from "../errors.js";
import { type CommandPattern, PatternError, parseCommandPattern } from "./rules/pattern.js";
import { segmentMatches } from "./rules/segment-match.js";
import type { ShellSegment } from "./shell/types.js";

/**
 * `[policy] blacklist`: command patterns (the rules' syntax, see rules/pattern.ts) refused outright.
 * Checked on every parsed segment — nested ones from `$()`, `sh -c`, pipelines — never on the raw
 * text; argv[0] matches by basename and wrappers are put back (`sudo *` catches `sudo rm x`).
 */
export interface CompiledBlacklist {
  patterns: CommandPattern[];
}

export interface BlacklistHit {
  pattern: string;
  segmentIndex: number;
  /** The segment's source text. */
  text: string;
  reason: string;
}

/**
 * Parses the blacklist; a bad pattern is a ConfigError at `policy.blacklist[i]`.
 *
 * @example compileBlacklist(["mkfs *", "rm -rf /"])
 */
export function compileBlacklist(patterns: readonly string[], options: { file?: string } = {}): CompiledBlacklist {
  return {
    patterns: patterns.map((source, i) => {
      try {
        return parseCommandPattern(source);
      } catch (error) {
        if (!(error instanceof PatternError)) throw error;
        throw new ConfigError(error.message, { ...(options.file ? { file: options.file } : {}), field: `policy.blacklist[${i}]` }, { cause: error });
      }
    }),
  };
}

/**
 * Every (pattern, segment) pair that is blacklisted; empty means none.
 *
 * @example checkBlacklist(parse("mkfs /dev/sda"), compileBlacklist(["mkfs *"])).map((h) => h.reason)
 *   // ["blacklisted by 'mkfs *': 'mkfs /dev/sda'"]
 */
export function checkBlacklist(segments: readonly ShellSegment[], blacklist: CompiledBlacklist): BlacklistHit[] {
  const hits: BlacklistHit[] = [];
  segments.forEach((segment, segmentIndex) => {
    for (const pattern of blacklist.patterns) {
      if (!segmentMatches([pattern], segment, "restrict")) continue;
      hits.push({
        pattern: pattern.source,
        segmentIndex,
        text: segment.text,
        reason: `blacklisted by '${pattern.source}': '${segment.text}'`,
      });
    }
  });
  return hits;
}
