/**
 * `preflight`: blocks by command patterns matched against every parsed segment, and by
 * allowed working directories.
 *
 * Patterns are the policy's command patterns (src/policy/rules/pattern.ts), matched exactly as the
 * `[policy] blacklist` matches them: word by word and anchored, a bare `*` for any number of words,
 * a bare `?` for one; the first word also matches a path's base name (`rm` matches `/bin/rm`), and
 * wrappers are put back (`sudo rm *` matches `sudo rm -rf x`). `git push --force *` blocks a force
 * push with any arguments; `--force*` (a `*` glued to text) is refused when the config loads.
 *
 * @example
 * createPreflightHook({ ...config, deny: ["git push --force *", { pattern: ["rm -rf /", "rm -rf / *"], reason: "never" }] })
 */
import { realpath } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { type CommandPattern, parseCommandPattern } from "../../policy/rules/pattern.js";
import { segmentMatches } from "../../policy/rules/segment-match.js";
import type { PreflightConfig } from "../config.js";
import { builtinIdentity } from "../presets.js";
import type { Hook } from "../types.js";

export interface DenyRule {
  /** Alternatives: the rule matches when any of them does. */
  patterns: CommandPattern[];
  reason?: string;
}

/** Parses the configured deny list (already syntax-checked by the config schema). */
export function normaliseDenyRules(deny: PreflightConfig["deny"]): DenyRule[] {
  return deny.map((d) => {
    if (typeof d === "string") return { patterns: [parseCommandPattern(d)] };
    const sources = typeof d.pattern === "string" ? [d.pattern] : d.pattern;
    const patterns = sources.map((source) => parseCommandPattern(source));
    return d.reason ? { patterns, reason: d.reason } : { patterns };
  });
}

async function canonical(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function expandDir(dir: string, workspace: string): string {
  if (dir === "~") return homedir();
  if (dir.startsWith("~/")) return resolve(homedir(), dir.slice(2));
  return resolve(workspace, dir);
}

export function createPreflightHook(config: PreflightConfig): Hook {
  const rules = normaliseDenyRules(config.deny);
  return {
    ...builtinIdentity("preflight", config),
    phases: ["pre"],
    async run(ctx) {
      if (config.allowed_dirs.length > 0) {
        const cwd = await canonical(ctx.cwd);
        const allowed = await Promise.all(config.allowed_dirs.map((d) => canonical(expandDir(d, ctx.workspace))));
        if (!allowed.some((dir) => isInside(cwd, dir))) {
          return {
            action: "block",
            reason: `working directory ${ctx.cwd} is outside the allowed directories (${allowed.join(", ")})`,
          };
        }
      }
      for (const segment of ctx.segments) {
        for (const rule of rules) {
          const hit = rule.patterns.find((pattern) => segmentMatches([pattern], segment, "restrict"));
          if (hit) {
            const why = rule.reason ? `: ${rule.reason}` : "";
            return {
              action: "block",
              reason: `'${segment.argv.join(" ")}' matches denied pattern '${hit.source}'${why}`,
              annotations: { pattern: hit.source, segment: segment.text },
            };
          }
        }
      }
      return { action: "continue", annotations: { segments: ctx.segments.length, rules: rules.length } };
    },
  };
}
