/**
 * `git`: before, records branch, HEAD and dirty state; with `auto_snapshot = true` also
 * stores all uncommitted work (tracked and untracked, .gitignore respected) as a commit
 * at `refs/firebreak/<invocation id>`, built through a temporary index so the user's
 * index and stash are untouched. After, records the diff stat (against the snapshot when
 * there is one, else against HEAD).
 *
 * Recover a snapshot: `git restore --source=refs/firebreak/<id> --worktree -- .`
 *
 * @example
 * // pre  -> { repository: true, branch: "main", head: "3f2a…", dirty: true, changed: 2, snapshot: "refs/firebreak/01J…" }
 * // post -> { head_moved: false, diff: { files: 1, insertions: 3, deletions: 0, changed: [{ path: "a.txt", … }] } }
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { HookError } from "../../errors.js";
import type { GitConfig } from "../config.js";
import { builtinIdentity } from "../presets.js";
import type { Hook, HookContext } from "../types.js";
import { execFileAsync as run } from "../../exec/exec-file.js";

const MAX_LISTED_FILES = 50;
const GIT_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Pre-phase states kept for post; invocations blocked after `git` ran never reach post. */
const MAX_PENDING = 256;
/** Snapshots are machine-made: they must not depend on (or fail for lack of) a user identity. */
const SNAPSHOT_IDENTITY = {
  GIT_AUTHOR_NAME: "firebreak",
  GIT_AUTHOR_EMAIL: "firebreak@localhost",
  GIT_COMMITTER_NAME: "firebreak",
  GIT_COMMITTER_EMAIL: "firebreak@localhost",
};

type Git = (args: string[], env?: Record<string, string>) => Promise<string>;

function gitIn(cwd: string, signal?: AbortSignal): Git {
  return async (args, env) => {
    try {
      const { stdout } = await run("git", args, {
        cwd,
        env: { ...process.env, ...env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
        maxBuffer: GIT_OUTPUT_BYTES,
        ...(signal ? { signal } : {}),
      });
      return stdout;
    } catch (err) {
      const stderr = String((err as { stderr?: string }).stderr ?? "").trim();
      throw new HookError(`git ${args[0]} failed: ${stderr || (err as Error).message}`, "git", { cause: err });
    }
  };
}

/** The work tree (tracked + untracked, not ignored) as a tree object, via a throwaway index. */
async function workTreeTree(git: Git): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "firebreak-git-"));
  const index = join(dir, "index");
  try {
    const realIndex = resolve((await git(["rev-parse", "--show-toplevel"])).trim(), (await git(["rev-parse", "--git-path", "index"])).trim());
    // Starting from a copy of the real index keeps `git add` fast (stat info is reused).
    await copyFile(realIndex, index).catch(() => undefined);
    const env = { GIT_INDEX_FILE: index };
    await git(["add", "-A", "--", ":/"], env);
    return (await git(["write-tree"], env)).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface DiffStat {
  files: number;
  insertions: number;
  deletions: number;
  changed: { path: string; insertions: number | null; deletions: number | null }[];
}

export function parseNumstat(text: string): DiffStat {
  const stat: DiffStat = { files: 0, insertions: 0, deletions: 0, changed: [] };
  for (const line of text.split("\n")) {
    const m = /^(\d+|-)\t(\d+|-)\t(.*)$/.exec(line);
    if (!m) continue;
    const ins = m[1] === "-" ? null : Number(m[1]);
    const del = m[2] === "-" ? null : Number(m[2]);
    stat.files++;
    stat.insertions += ins ?? 0;
    stat.deletions += del ?? 0;
    if (stat.changed.length < MAX_LISTED_FILES) stat.changed.push({ path: m[3] ?? "", insertions: ins, deletions: del });
  }
  return stat;
}

function refComponent(invocationId: string): string {
  const safe = invocationId.replace(/[^A-Za-z0-9_-]/g, "_").replace(/^[-_]+/, "");
  return safe || "snapshot";
}

interface PreState {
  head: string | null;
  tree?: string;
}

export function createGitHook(config: GitConfig): Hook {
  // Pre-phase facts the post phase compares against, per invocation.
  const pending = new Map<string, PreState>();

  async function pre(ctx: HookContext, git: Git): Promise<Record<string, unknown>> {
    const branch = (await git(["symbolic-ref", "--short", "-q", "HEAD"]).catch(() => "")).trim() || null;
    const head = (await git(["rev-parse", "-q", "--verify", "HEAD"]).catch(() => "")).trim() || null;
    const status = await git(["status", "--porcelain=v1", "-z", "--untracked-files=all"]);
    const changed = status.split("\0").filter((e) => /^[ MADRCU?!]{2} /.test(e)).length;
    const facts: Record<string, unknown> = { repository: true, branch, head, dirty: changed > 0, changed };
    const state: PreState = { head };
    if (config.auto_snapshot) {
      state.tree = await workTreeTree(git);
      const headTree = head ? (await git(["rev-parse", `${head}^{tree}`])).trim() : null;
      if (state.tree !== headTree) {
        const parent = head ? ["-p", head] : [];
        const message = `firebreak snapshot before ${ctx.command.name} (${ctx.invocationId})`;
        const commit = (await git(["commit-tree", state.tree, ...parent, "-m", message], SNAPSHOT_IDENTITY)).trim();
        const ref = `refs/firebreak/${refComponent(ctx.invocationId)}`;
        await git(["update-ref", ref, commit]);
        facts.snapshot = ref;
        facts.snapshot_commit = commit;
      } else facts.snapshot = null;
    }
    pending.set(ctx.invocationId, state);
    if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value as string);
    return facts;
  }

  async function post(ctx: HookContext, git: Git): Promise<Record<string, unknown>> {
    const before = pending.get(ctx.invocationId);
    pending.delete(ctx.invocationId);
    const head = (await git(["rev-parse", "-q", "--verify", "HEAD"]).catch(() => "")).trim() || null;
    const facts: Record<string, unknown> = { repository: true, head };
    if (before) facts.head_moved = before.head !== head;
    if (before?.tree) {
      const now = await workTreeTree(git);
      facts.diff = parseNumstat(await git(["diff", "--numstat", before.tree, now]));
      facts.diff_base = "snapshot";
    } else if (head) {
      facts.diff = parseNumstat(await git(["diff", "--numstat", "HEAD"]));
      facts.diff_base = "HEAD";
    }
    return facts;
  }

  return {
    ...builtinIdentity("git", config),
    phases: ["pre", "post"],
    async run(ctx, signal) {
      const git = gitIn(ctx.cwd, signal);
      const inside = (await git(["rev-parse", "--is-inside-work-tree"]).catch(() => "false")).trim() === "true";
      if (!inside) return { action: "continue", annotations: { repository: false } };
      const annotations = ctx.phase === "pre" ? await pre(ctx, git) : await post(ctx, git);
      return { action: "continue", annotations };
    },
  };
}
