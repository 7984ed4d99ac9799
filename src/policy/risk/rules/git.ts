/** Rules: git commands that destroy history or uncommitted work, talk to remotes, or run code. */
import type { RiskRule } from "../rule-types.js";
import type { SegmentView } from "../segment-view.js";

/** A git invocation with global options (`-C dir`, `-c k=v`, `--no-pager`) skipped. */
export interface GitCall {
  sub: string;
  args: string[];
  has(...options: string[]): boolean;
}

const GLOBAL_WITH_VALUE = new Set(["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env", "--super-prefix"]);
const READ_ONLY = new Set(["status", "log", "diff", "show", "blame", "annotate", "rev-parse", "ls-files", "ls-tree", "describe", "shortlog", "grep", "cat-file", "rev-list", "help", "version", "whatchanged", "cherry", "name-rev", "merge-base", "count-objects", "fsck", "check-ignore", "check-attr", "var", "for-each-ref", "show-ref", "show-branch", "range-diff", "diff-tree", "diff-files", "diff-index", "verify-commit", "verify-tag", "--version", "--help", "bugreport", "instaweb"]);
const LOCAL_RECOVERABLE = new Set(["add", "commit", "switch", "checkout", "stash", "merge", "tag", "init", "mv", "restore", "cherry-pick", "revert", "am", "apply", "branch", "worktree", "rm", "notes", "bisect", "reflog", "config", "remote", "sparse-checkout", "format-patch", "archive", "bundle", "gc", "maintenance", "prune", "repack", "submodule", "lfs", "rerere", "mergetool", "difftool"]);
const NETWORK = new Set(["fetch", "pull", "push", "clone", "ls-remote", "send-email", "request-pull", "svn", "p4"]);
const CONFIG_COMMAND_KEY_RE = /^(core\.(pager|editor|sshcommand|fsmonitor|hookspath|askpass|gitproxy)|alias\.|sequence\.editor|diff\..*\.(command|textconv)|merge\..*\.driver|filter\.|credential\.helper|gpg\.|pager\.|includeif\.|include\.path|init\.templatedir)/i;

/**
 * Parses `git [global options] <sub> [args]`.
 * @example gitCall(view("git -C repo push --force")).sub // "push"
 */
export function gitCall(v: SegmentView): GitCall | undefined {
  if (v.name !== "git") return undefined;
  let i = 0;
  while (i < v.args.length) {
    const arg = v.args[i] as string;
    if (!arg.startsWith("-") || arg === "--version" || arg === "--help") break;
    i += GLOBAL_WITH_VALUE.has(arg) ? 2 : 1;
  }
  const sub = v.args[i];
  if (sub === undefined) return undefined;
  const args = v.args.slice(i + 1);
  const dashDash = args.indexOf("--");
  const optionArgs = dashDash >= 0 ? args.slice(0, dashDash) : args;
  return {
    sub,
    args,
    has: (...options) =>
      options.some((o) =>
        o.startsWith("--")
          ? optionArgs.some((a) => a === o || a.startsWith(`${o}=`))
          : optionArgs.some((a) => /^-[A-Za-z]+$/.test(a) && a.includes(o.slice(1))),
      ),
  };
}

function destructive(g: GitCall): string | undefined {
  const operands = g.args.filter((a) => !a.startsWith("-"));
  switch (g.sub) {
    case "reset":
      return g.has("--hard", "--merge", "--keep") ? "git reset --hard" : undefined;
    case "clean":
      return g.has("-f", "--force") && !g.has("-n", "--dry-run") ? "git clean -f" : undefined;
    case "push":
      if (g.has("-f", "--force", "--force-with-lease", "--force-if-includes", "--mirror", "--delete", "-d", "--prune")) return "git push --force/--delete";
      return operands.some((o) => o.startsWith("+") || o.startsWith(":")) ? "git push +refspec/:ref" : undefined;
    case "checkout":
      if (g.args.includes("--") || operands.includes(".") || g.has("-f", "--force", "-p", "--patch", "--theirs", "--ours", "--pathspec-from-file")) return "git checkout of paths";
      // `git checkout <commit> <path>…` overwrites uncommitted changes of those paths just like `-- <path>`;
      // only `-b/-B/--orphan <name> [<start>]` takes two operands without touching files.
      if (operands.length >= 2 && !g.has("-b", "-B", "--orphan")) return "git checkout of paths";
      return undefined;
    case "restore":
      return !g.has("--staged", "-S") || g.has("--worktree", "-W") ? "git restore" : undefined;
    case "switch":
      return g.has("--discard-changes", "-f", "--force", "-C", "--force-create") ? "git switch --discard-changes/--force" : undefined;
    case "stash":
      return operands[0] === "drop" || operands[0] === "clear" ? `git stash ${operands[0]}` : undefined;
    case "branch":
      return g.has("-D") || (g.has("-d", "--delete") && g.has("-f", "--force")) || g.has("-M", "-C") ? "git branch -D" : undefined;
    case "reflog":
      return operands[0] === "expire" || operands[0] === "delete" ? `git reflog ${operands[0]}` : undefined;
    case "gc":
    case "prune":
      return g.args.some((a) => a.startsWith("--prune")) || g.sub === "prune" ? `git ${g.sub} --prune` : undefined;
    case "filter-branch":
    case "filter-repo":
      return `git ${g.sub}`;
    case "update-ref":
      return g.has("-d") ? "git update-ref -d" : undefined;
    case "worktree":
      return operands[0] === "remove" && g.has("-f", "--force") ? "git worktree remove --force" : undefined;
    case "tag":
      return g.has("-d", "--delete", "-f", "--force") ? "git tag -d/-f" : undefined;
    case "rm":
      return g.has("-f", "--force") ? "git rm -f" : undefined;
    default:
      return undefined;
  }
}

export const GIT_RULES: readonly RiskRule[] = [
  {
    id: "git-destroys-history",
    family: "git-history",
    risk: "high",
    reason: "destroys git history or uncommitted work",
    applies: (v) => {
      const g = gitCall(v);
      return g && destructive(g);
    },
  },
  {
    id: "git-config-command",
    family: "git-history",
    risk: "high",
    reason: "configures git to run a command",
    applies: (v) => {
      const g = gitCall(v);
      return g?.sub === "config" && g.args.find((a) => CONFIG_COMMAND_KEY_RE.test(a));
    },
  },
  {
    id: "git-network",
    family: "network",
    risk: "medium",
    reason: "talks to a git remote",
    applies: (v) => {
      const g = gitCall(v);
      if (!g) return false;
      if (NETWORK.has(g.sub)) return `git ${g.sub}`;
      const networkSub = (g.sub === "submodule" && ["update", "sync", "add"].includes(g.args[0] ?? "")) || (g.sub === "remote" && g.args[0] === "update") || (g.sub === "lfs" && ["pull", "push", "fetch"].includes(g.args[0] ?? ""));
      return networkSub && `git ${g.sub} ${g.args[0]}`;
    },
  },
  {
    id: "git-rewrites-history",
    family: "git-history",
    risk: "medium",
    reason: "rewrites commits (recoverable from the reflog)",
    applies: (v) => gitCall(v)?.sub === "rebase",
  },
  {
    id: "git-unknown-subcommand",
    family: "unknown",
    risk: "medium",
    reason: "unknown git subcommand (may be an alias that runs anything)",
    applies: (v) => {
      if (v.name !== "git") return false;
      const g = gitCall(v);
      if (!g) return v.args.length > 0 && !v.args.every((a) => a === "--version" || a === "--help" || a === "-h");
      return !READ_ONLY.has(g.sub) && !LOCAL_RECOVERABLE.has(g.sub) && !NETWORK.has(g.sub) && g.sub !== "rebase" && !destructive(g) && g.sub;
    },
  },
];
