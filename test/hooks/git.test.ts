import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGitHook, parseNumstat } from "../../src/hooks/builtin/git.js";
import { hooksConfigSchema } from "../../src/hooks/config.js";
import { createHookPipeline } from "../../src/hooks/pipeline.js";
import { makeCtx, tempDir } from "./helpers.js";

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };

describe("git hook", () => {
  let repo: { path: string; cleanup(): Promise<void> };
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo.path, env: gitEnv, encoding: "utf8" });
  beforeEach(async () => {
    repo = await tempDir("fb-git-");
    git("init", "-q", "-b", "main");
    await writeFile(join(repo.path, "a.txt"), "one\n");
    git("add", "a.txt");
    git("commit", "-q", "-m", "init");
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const pipeline = (autoSnapshot: boolean) => createHookPipeline([createGitHook(hooksConfigSchema.parse({ git: { auto_snapshot: autoSnapshot } }).git)]);
  const ctx = () => makeCtx({ cwd: repo.path, workspace: repo.path, invocationId: "01JTEST" });
  const result = { exitCode: 0, durationMs: 1, stdoutBytes: 0, stderrBytes: 0, timedOut: false, placement: "local" as const };

  it("records branch, HEAD and dirty state before, and the diff stat after", async () => {
    const head = git("rev-parse", "HEAD").trim();
    await writeFile(join(repo.path, "a.txt"), "one\ntwo\n");
    const p = pipeline(false);
    const pre = await p.runPre(ctx());
    expect(pre.annotations.git).toEqual({ repository: true, branch: "main", head, dirty: true, changed: 1 });
    await writeFile(join(repo.path, "a.txt"), "one\ntwo\nthree\n");
    const post = await p.runPost({ ...ctx(), phase: "post", result });
    expect(post.annotations.git).toMatchObject({
      head,
      head_moved: false,
      diff_base: "HEAD",
      diff: { files: 1, insertions: 2, deletions: 0, changed: [{ path: "a.txt", insertions: 2, deletions: 0 }] },
    });
  });

  it("auto_snapshot stores tracked and untracked work under refs/firebreak/ without touching index or stash", async () => {
    await writeFile(join(repo.path, "a.txt"), "edited\n");
    await writeFile(join(repo.path, "new.txt"), "untracked work\n");
    const p = pipeline(true);
    const pre = await p.runPre(ctx());
    expect(pre.annotations.git).toMatchObject({ dirty: true, snapshot: "refs/firebreak/01JTEST" });
    expect(git("show", "refs/firebreak/01JTEST:new.txt")).toBe("untracked work\n");
    expect(git("show", "refs/firebreak/01JTEST:a.txt")).toBe("edited\n");
    expect(git("log", "-1", "--format=%an %P", "refs/firebreak/01JTEST").trim()).toBe(`firebreak ${git("rev-parse", "HEAD").trim()}`);
    expect(git("status", "--porcelain")).toBe(" M a.txt\n?? new.txt\n");
    expect(git("stash", "list")).toBe("");

    // The command destroys the work; the snapshot brings it back, and post sees what changed.
    await writeFile(join(repo.path, "new.txt"), "clobbered\n");
    const post = await p.runPost({ ...ctx(), phase: "post", result });
    expect(post.annotations.git).toMatchObject({ diff_base: "snapshot", diff: { files: 1, changed: [{ path: "new.txt", insertions: 1, deletions: 1 }] } });
    git("restore", "--source=refs/firebreak/01JTEST", "--worktree", "--", "new.txt");
    expect(git("show", ":a.txt")).toBe("one\n");
    expect(execFileSync("cat", [join(repo.path, "new.txt")], { encoding: "utf8" })).toBe("untracked work\n");
  });

  it("makes no snapshot of a clean tree, and says so outside a repository", async () => {
    const pre = await pipeline(true).runPre(ctx());
    expect(pre.annotations.git).toMatchObject({ dirty: false, snapshot: null });
    const outside = await tempDir("fb-nogit-");
    try {
      const res = await pipeline(true).runPre(makeCtx({ cwd: outside.path }));
      expect(res.annotations.git).toEqual({ repository: false });
    } finally {
      await outside.cleanup();
    }
  });

  it("parses numstat including binary files", () => {
    expect(parseNumstat("3\t1\tsrc/a.ts\n-\t-\timg.png\n")).toEqual({
      files: 2,
      insertions: 3,
      deletions: 1,
      changed: [
        { path: "src/a.ts", insertions: 3, deletions: 1 },
        { path: "img.png", insertions: null, deletions: null },
      ],
    });
  });
});
