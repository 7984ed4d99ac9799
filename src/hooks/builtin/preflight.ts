/**
 * `preflight`: blocks by command patterns matched against every parsed segment, and by
 * allowed working directories.
 *
 * A pattern is an argv prefix: its words must match the segment's first words, one to
 * one; `*` inside a word matches any text (so a lone `*` is "any one word"). The first
 * word matches the command's base name too (`rm` matches `/bin/rm`). Flags are compared
 * as written: `rm -rf /` does not match `rm -r -f /` — list both spellings.
 *
 * @example
 * matchesArgvPattern(["git", "push", "--force*"], ["git", "push", "--force-with-lease", "origin"]) // true
 * matchesArgvPattern(["rm", "-rf", "/"], ["/usr/bin/rm", "-rf", "/"]) // true
 */
import { realpath } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, isAbsolute, relative, resolve, sep } from "node:path";
import type { PreflightConfig } from "../config.js";
import { builtinIdentity, } from "../presets.js";
import type { Hook } from "../types.js";

export interface DenyRule {
  pattern: string[];
  reason?: string;
}

function globWord(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((part) => part.replace(/[\\^$.+?()[\]{}|]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s");
}

/** True when `argv` starts with words matching `pattern` (see module doc). */
export function matchesArgvPattern(pattern: readonly string[], argv: readonly string[]): boolean {
  if (pattern.length === 0 || argv.length < pattern.length) return false;
  return pattern.every((word, i) => {
    const re = globWord(word);
    const arg = argv[i] ?? "";
    if (re.test(arg)) return true;
    return i === 0 && !word.includes("/") && re.test(basename(arg));
  });
}

export function normaliseDenyRules(deny: PreflightConfig["deny"]): DenyRule[] {
  return deny.map((d) => {
    if (typeof d === "string") return { pattern: d.trim().split(/\s+/) };
    const pattern = typeof d.pattern === "string" ? d.pattern.trim().split(/\s+/) : d.pattern;
    return d.reason ? { pattern, reason: d.reason } : { pattern };
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
          if (matchesArgvPattern(rule.pattern, segment.argv)) {
            const why = rule.reason ? `: ${rule.reason}` : "";
            return {
              action: "block",
              reason: `'${segment.argv.join(" ")}' matches denied pattern '${rule.pattern.join(" ")}'${why}`,
              annotations: { pattern: rule.pattern.join(" "), segment: segment.text },
            };
          }
        }
      }
      return { action: "continue", annotations: { segments: ctx.segments.length, rules: rules.length } };
    },
  };
}
