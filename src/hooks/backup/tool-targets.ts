/**
 * Destructive commands whose victims are not simply their operands: `find … -delete`, git commands that throw away
 * uncommitted work (clean, checkout/restore of paths, reset --hard) and `rsync --delete`. Each yields the paths to back
 * up as a whole (recursively) before it runs.
 *
 * @example
 * toolTargets("git", ["reset", "--hard"]) // [{ words: ["."], recursive: true }]
 */
import { parseArgs } from "./parse-args.js";

export interface ToolTarget {
  words: string[];
  recursive: boolean;
}

const GIT_GLOBAL_WITH_VALUE = new Set(["-C", "-c", "--git-dir", "--work-tree", "--namespace"]);

/** The targets of one command (by basename) with its arguments; empty when it destroys nothing we can name. */
export function toolTargets(name: string, args: readonly string[]): ToolTarget[] {
  switch (name) {
    case "find":
      return findDeleteTargets(args);
    case "git":
      return gitTargets(args);
    case "rsync":
      return rsyncDeleteTargets(args);
    default:
      return [];
  }
}

/** `find ROOTS… … -delete`: everything under the roots may go. */
function findDeleteTargets(args: readonly string[]): ToolTarget[] {
  if (!args.includes("-delete")) return [];
  const roots: string[] = [];
  for (const arg of args) {
    if (arg.startsWith("-") || arg === "(" || arg === "!") break;
    roots.push(arg);
  }
  return [{ words: roots.length > 0 ? roots : ["."], recursive: true }];
}

function gitTargets(args: readonly string[]): ToolTarget[] {
  let i = 0;
  while (i < args.length && (args[i] as string).startsWith("-")) i += GIT_GLOBAL_WITH_VALUE.has(args[i] as string) ? 2 : 1;
  const sub = args[i];
  const rest = args.slice(i + 1);
  const p = parseArgs(rest, sub === "checkout" ? "bB" : "", ["pathspec-from-file", "source", "orphan"]);
  const dashDash = rest.indexOf("--");
  const pathspecs = dashDash >= 0 ? rest.slice(dashDash + 1) : undefined;
  const whole = (words: string[] | undefined) => [{ words: words && words.length > 0 ? words : ["."], recursive: true }];
  switch (sub) {
    case "clean":
      return (p.flags.has("f") || p.flags.has("force")) && !p.flags.has("n") && !p.flags.has("dry-run") ? whole(pathspecs ?? p.operands) : [];
    case "reset":
      return p.flags.has("hard") || p.flags.has("merge") || p.flags.has("keep") ? whole(undefined) : [];
    case "restore":
      if ((p.flags.has("staged") || p.flags.has("S")) && !p.flags.has("worktree") && !p.flags.has("W")) return [];
      return p.values.has("pathspec-from-file") ? whole(undefined) : whole(pathspecs ?? p.operands);
    case "checkout": {
      if (p.flags.has("b") || p.flags.has("B") || p.flags.has("orphan")) return [];
      if (p.values.has("pathspec-from-file")) return whole(undefined);
      if (pathspecs) return whole(pathspecs);
      // `git checkout <commit> <paths…>` (or `-f`: the whole work tree); a lone operand switches branches.
      if (p.operands.length >= 2) return whole(p.operands.slice(1));
      return p.flags.has("f") || p.flags.has("force") || p.operands.includes(".") ? whole(undefined) : [];
    }
    default:
      return [];
  }
}

/** `rsync --delete… SRC… DEST`: files in DEST missing from the sources are deleted. */
function rsyncDeleteTargets(args: readonly string[]): ToolTarget[] {
  const p = parseArgs(args, "efT", ["rsh", "exclude", "include", "filter", "files-from", "temp-dir", "partial-dir", "backup-dir", "suffix", "chmod", "chown", "rsync-path"]);
  const deletes = [...p.flags].some((f) => f.startsWith("delete") || f === "remove-source-files");
  const dest = p.operands.at(-1);
  if (!deletes || dest === undefined || p.operands.length < 2 || dest.includes(":")) return [];
  const words = [dest];
  if (p.flags.has("remove-source-files")) words.push(...p.operands.slice(0, -1).filter((s) => !s.includes(":")));
  return [{ words, recursive: true }];
}
