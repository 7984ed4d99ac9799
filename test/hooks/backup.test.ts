import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BackupError } from "../../src/errors.js";
import { listBackups, restoreBackup } from "../../src/hooks/backup/store.js";
import { resolveTargets, wordTargets } from "../../src/hooks/backup/targets.js";
import { createBackupHook } from "../../src/hooks/builtin/backup.js";
import { hooksConfigSchema } from "../../src/hooks/config.js";
import { createHookPipeline } from "../../src/hooks/pipeline.js";
import type { ShellSegment } from "../../src/policy/shell/types.js";
import { makeCtx, runReal, seg, tempDir, useWorkspaceAndState } from "./helpers.js";

const words = (segments: ShellSegment[]) => wordTargets(segments).map((t) => `${t.command}:${t.word}${t.recursive ? ":r" : ""}`);

describe("backup targets from parsed segments", () => {
  it("sees find -delete, git clean/checkout/restore/reset --hard and rsync --delete (issue 11, item 9)", () => {
    expect(words([seg(["find", "build", "-name", "*.o", "-delete"])])).toEqual(["find:build:r"]);
    expect(words([seg(["find", "-delete"])])).toEqual(["find:.:r"]);
    expect(words([seg(["find", ".", "-name", "x"])])).toEqual([]);
    expect(words([seg(["git", "clean", "-fdx"])])).toEqual(["git:.:r"]);
    expect(words([seg(["git", "clean", "-n"])])).toEqual([]);
    expect(words([seg(["git", "-C", "sub", "clean", "-f", "--", "tmp"])])).toEqual(["git:tmp:r"]);
    expect(words([seg(["git", "reset", "--hard", "HEAD~1"])])).toEqual(["git:.:r"]);
    expect(words([seg(["git", "reset", "HEAD~1"])])).toEqual([]);
    expect(words([seg(["git", "checkout", "HEAD~1", "--", "src/a.ts"])])).toEqual(["git:src/a.ts:r"]);
    expect(words([seg(["git", "checkout", "main", "src/a.ts"])])).toEqual(["git:src/a.ts:r"]);
    expect(words([seg(["git", "checkout", "--pathspec-from-file=list.txt"])])).toEqual(["git:.:r"]);
    expect(words([seg(["git", "checkout", "-b", "x", "main"])])).toEqual([]);
    expect(words([seg(["git", "checkout", "main"])])).toEqual([]);
    expect(words([seg(["git", "restore", "src"])])).toEqual(["git:src:r"]);
    expect(words([seg(["git", "restore", "--staged", "src"])])).toEqual([]);
    expect(words([seg(["rsync", "-a", "--delete", "src/", "dst/"])])).toEqual(["rsync:dst/:r"]);
    expect(words([seg(["rsync", "-a", "src/", "dst/"])])).toEqual([]);
    expect(words([seg(["rsync", "-a", "--delete", "src/", "host:dst/"])])).toEqual([]);
  });

  it("reads flags the same however they are written (rm -r -f = rm -rf = rm --recursive --force)", () => {
    const forms = [["rm", "-rf", "build"], ["rm", "-r", "-f", "build"], ["rm", "-f", "-r", "build"], ["rm", "--recursive", "--force", "build"], ["rm", "-fR", "build"]];
    for (const argv of forms) expect(words([seg(argv)]), argv.join(" ")).toEqual(["rm:build:r"]);
  });

  it("finds the files each destructive command touches", () => {
    expect(words([seg(["rm", "-f", "a", "--", "-weird"])])).toEqual(["rm:a", "rm:-weird"]);
    expect(words([seg(["/bin/rm", "-rf", "build"])])).toEqual(["rm:build:r"]);
    expect(words([seg(["mv", "a", "b", "dest"])])).toEqual(["mv:a:r", "mv:b:r", "mv:dest:r"]);
    expect(words([seg(["cp", "-t", "out", "x", "y"])])).toEqual(["cp:out:r"]);
    expect(words([seg(["truncate", "-s", "0", "log.txt"])])).toEqual(["truncate:log.txt"]);
    expect(words([seg(["sed", "-i.bak", "s/a/b/", "f1", "f2"])])).toEqual(["sed:f1", "sed:f2"]);
    expect(words([seg(["sed", "-i", "-e", "s/a/b/", "f1"])])).toEqual(["sed:f1"]);
    expect(words([seg(["sed", "s/a/b/", "f1"])])).toEqual([]);
    expect(words([seg(["shred", "-u", "-n", "3", "secret"])])).toEqual(["shred:secret"]);
    expect(words([seg(["tee", "out.txt"]), seg(["tee", "-a", "log.txt"])])).toEqual(["tee:out.txt"]);
    expect(words([seg(["dd", "if=/dev/zero", "of=disk.img"])])).toEqual(["dd:disk.img"]);
    expect(words([seg(["echo", "hi"], [{ op: ">", target: "out.txt" }, { op: ">>", target: "log" }, { op: ">&", fd: 2, target: "1" }])])).toEqual(["redirect:out.txt"]);
    expect(words([seg(["cat", "x"]), seg(["ls", "-l"])])).toEqual([]);
  });

  it("resolves cp/mv into an existing directory, globs and tildes; variables stay unresolved", async () => {
    const d = await tempDir();
    try {
      await mkdir(join(d.path, "out"));
      await writeFile(join(d.path, "a.txt"), "a");
      await writeFile(join(d.path, "b.txt"), "b");
      await writeFile(join(d.path, ".hidden.txt"), "h");
      const r = await resolveTargets(
        wordTargets([seg(["cp", "a.txt", "out"]), seg(["rm", "*.txt", "~/x", "$HOME/y"])]),
        d.path,
        "/home/someone",
      );
      expect(r.paths.map((p) => p.path)).toEqual([join(d.path, "out", "a.txt"), join(d.path, "a.txt"), join(d.path, "b.txt"), "/home/someone/x"]);
      expect(r.unresolved).toEqual(["$HOME/y"]);
      // With the parser's word facts: a quoted glob is a literal name, a dynamic word is unknown.
      const quoted = { ...seg(["rm", "*.txt", "plain"]), words: [{ dynamic: false, glob: false }, { dynamic: false, glob: false }, { dynamic: true, glob: false }] };
      const q = await resolveTargets(wordTargets([quoted]), d.path, "/home/someone");
      expect(q.paths.map((p) => p.path)).toEqual([join(d.path, "*.txt")]);
      expect(q.unresolved).toEqual(["plain"]);
      const viaXargs = { ...seg(["rm"]), argsFromStdin: true };
      expect((await resolveTargets(wordTargets([viaXargs]), d.path, "/")).unresolved).toEqual(["(rm arguments from stdin)"]);
    } finally {
      await d.cleanup();
    }
  });
});

describe("backup hook and restore", () => {
  const dirs = useWorkspaceAndState();

  const hook = (over: Record<string, unknown> = {}) => createBackupHook(hooksConfigSchema.parse({ backup: over }).backup);
  const ctxFor = (segments: ShellSegment[], rendered: string) =>
    makeCtx({ segments, rendered, cwd: dirs.ws.path, workspace: dirs.ws.path, stateDir: dirs.state.path, command: { name: "clean", permissions: [], riskLevel: "medium" } });

  async function runScript(script: string) {
    const ran = await runReal("bash", ["-c", script], { cwd: dirs.ws.path }).done;
    expect(ran.code).toBe(0);
  }

  it("backs up files a real rm deletes and restores them byte for byte, with modes", async () => {
    const binary = randomBytes(200_000);
    await writeFile(join(dirs.ws.path, "data.bin"), binary);
    await chmod(join(dirs.ws.path, "data.bin"), 0o640);
    await mkdir(join(dirs.ws.path, "dir", "sub"), { recursive: true });
    await writeFile(join(dirs.ws.path, "dir", "sub", "deep.txt"), "deep\n");
    await chmod(join(dirs.ws.path, "dir", "sub", "deep.txt"), 0o755);
    await symlink("sub/deep.txt", join(dirs.ws.path, "dir", "link"));

    const segments = [seg(["rm", "-rf", "data.bin", "dir"])];
    const p = createHookPipeline([hook()]);
    const pre = await p.runPre(ctxFor(segments, "rm -rf data.bin dir"));
    expect(pre.blocked).toBe(false);
    const ann = pre.annotations.backup as { id: string; files: number; bytes: number };
    expect(ann.files).toBe(2);
    expect(ann.bytes).toBe(binary.length + 5);
    expect(pre.records[0]?.message).toContain(`firebreak backup restore ${ann.id}`);

    await runScript("rm -rf data.bin dir");
    await expect(stat(join(dirs.ws.path, "data.bin"))).rejects.toThrow();

    const listed = await listBackups(dirs.state.path);
    expect(listed).toEqual([expect.objectContaining({ id: ann.id, command: "clean", files: 2, invocationId: "inv-1" })]);

    const report = await restoreBackup(dirs.state.path, ann.id);
    expect(report.bytes).toBe(binary.length + 5);
    expect((await readFile(join(dirs.ws.path, "data.bin"))).equals(binary)).toBe(true);
    expect((await stat(join(dirs.ws.path, "data.bin"))).mode & 0o777).toBe(0o640);
    expect(await readFile(join(dirs.ws.path, "dir", "sub", "deep.txt"), "utf8")).toBe("deep\n");
    expect((await stat(join(dirs.ws.path, "dir", "sub", "deep.txt"))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(dirs.ws.path, "dir", "link"))).toBe("sub/deep.txt");
  });

  it("makes no backup for a command placed in a microVM (it works on a copy of the workspace)", async () => {
    await writeFile(join(dirs.ws.path, "data.txt"), "keep\n");
    const ctx = { ...ctxFor([seg(["rm", "data.txt"])], "rm data.txt"), decision: { risk: "medium" as const, placement: "vm" as const, reasons: [] } };
    const pre = await createHookPipeline([hook()]).runPre(ctx);
    expect(pre.annotations.backup).toEqual({ skipped: "runs in a microVM on a copy of the workspace" });
    expect(await listBackups(dirs.state.path)).toEqual([]);
  });

  it("backs up a file a redirection overwrites and one sed -i edits", async () => {
    await writeFile(join(dirs.ws.path, "notes.txt"), "original notes\n");
    await writeFile(join(dirs.ws.path, "conf.ini"), "mode=safe\n");
    const segments = [seg(["echo", "new"], [{ op: ">", target: "notes.txt" }]), seg(["sed", "-i", "s/safe/fast/", "conf.ini"])];
    const pre = await createHookPipeline([hook()]).runPre(ctxFor(segments, "echo new > notes.txt; sed -i s/safe/fast/ conf.ini"));
    const id = (pre.annotations.backup as { id: string }).id;
    await runScript("echo new > notes.txt; sed -i s/safe/fast/ conf.ini");
    expect(await readFile(join(dirs.ws.path, "conf.ini"), "utf8")).toBe("mode=fast\n");
    await restoreBackup(dirs.state.path, id);
    expect(await readFile(join(dirs.ws.path, "notes.txt"), "utf8")).toBe("original notes\n");
    expect(await readFile(join(dirs.ws.path, "conf.ini"), "utf8")).toBe("mode=safe\n");
  });

  it("skips files outside the workspace and makes no backup when nothing inside is touched", async () => {
    const outside = await tempDir("fb-outside-");
    try {
      await writeFile(join(outside.path, "theirs.txt"), "x");
      const res = await hook().run(ctxFor([seg(["rm", join(outside.path, "theirs.txt"), "missing.txt"])], ""));
      expect(res.action).toBe("continue");
      expect(res.annotations).toMatchObject({ files: 0 });
      expect(await listBackups(dirs.state.path)).toEqual([]);
    } finally {
      await outside.cleanup();
    }
  });

  it("skips files larger than max_file_mb and names them", async () => {
    await writeFile(join(dirs.ws.path, "big.bin"), Buffer.alloc(2 * 1024 * 1024));
    await writeFile(join(dirs.ws.path, "small.txt"), "s");
    const res = await hook({ max_file_mb: 1 }).run(ctxFor([seg(["rm", "big.bin", "small.txt"])], ""));
    expect(res.annotations).toMatchObject({ files: 1, skipped: [expect.objectContaining({ reason: expect.stringMatching(/max_file_mb/) })] });
  });

  it("stops at max_total_mb and lists a bounded number of skipped paths", async () => {
    await mkdir(join(dirs.ws.path, "many"));
    for (let i = 0; i < 260; i++) await writeFile(join(dirs.ws.path, "many", `f${String(i).padStart(3, "0")}`), "0123456789");
    const res = await hook({ max_total_mb: 100 / (1024 * 1024) }).run(ctxFor([seg(["rm", "-r", "many"])], ""));
    const ann = res.annotations as { files: number; skipped: { path: string; reason: string }[] };
    expect(ann.files).toBe(10);
    const manifest = JSON.parse(await readFile(join(dirs.state.path, "backups", (res.annotations as { id: string }).id, "manifest.json"), "utf8"));
    expect(manifest.skipped).toHaveLength(201);
    expect(manifest.skipped[0].reason).toBe("backup reached max_total_mb");
    expect(manifest.skipped[200]).toEqual({ path: "(50 more)", reason: "not listed" });
  });

  it("refuses to restore a backup whose content was tampered with, and restores nothing", async () => {
    await writeFile(join(dirs.ws.path, "a.txt"), "A");
    await writeFile(join(dirs.ws.path, "b.txt"), "B");
    const res = await hook().run(ctxFor([seg(["rm", "a.txt", "b.txt"])], ""));
    const id = (res.annotations as { id: string }).id;
    await runScript("rm a.txt b.txt");
    await writeFile(join(dirs.state.path, "backups", id, "blobs", "1"), "evil");
    await expect(restoreBackup(dirs.state.path, id)).rejects.toThrow(/corrupt \(sha256 mismatch\)/);
    await expect(lstat(join(dirs.ws.path, "a.txt"))).rejects.toThrow();
  });

  it("rejects unknown and path-like ids", async () => {
    await expect(restoreBackup(dirs.state.path, "nope")).rejects.toBeInstanceOf(BackupError);
    await expect(restoreBackup(dirs.state.path, "../etc")).rejects.toThrow(/invalid backup id/);
  });

  it("keeps only the newest `keep` backups", async () => {
    for (let i = 0; i < 3; i++) {
      await writeFile(join(dirs.ws.path, `f${i}`), String(i));
      await hook({ keep: 2 }).run(ctxFor([seg(["rm", `f${i}`])], ""));
    }
    const left = await listBackups(dirs.state.path);
    expect(left).toHaveLength(2);
  });
});
