import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applyChangeset } from "../../src/changes/apply.js";
import type { ListingChange } from "../../src/changes/diff.js";
import { snapshotHost } from "../../src/changes/host-state.js";
import { ChangesetStore } from "../../src/changes/store.js";
import { ChangesError } from "../../src/errors.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

type Captured = ListingChange & { sha256?: string };

/** A workspace, a store, and a changeset made as a VM run would: snapshot, then guest changes with stored contents. */
function setup(files: Record<string, string>, guest: (blob: (content: string) => string) => Captured[], protectedPaths: string[] = [], artifacts: string[] = []) {
  const workspace = tempDir("fb-ws-");
  const state = tempDir("fb-state-");
  writeTree(workspace, files);
  const hostSnapshot = snapshotHost(workspace, [".git", "node_modules"]);
  const store = new ChangesetStore(state);
  const blobs = path.join(store.stagingDir("inv-1"), "blobs");
  fs.mkdirSync(blobs, { recursive: true });
  const blob = (content: string) => {
    const sha = createHash("sha256").update(content).digest("hex");
    fs.writeFileSync(path.join(blobs, sha), content);
    return sha;
  };
  const cs = store.create({ invocationId: "inv-1", command: "test", workspace, changes: guest(blob), skipped: [], hostSnapshot, protectedPaths, artifacts });
  const backups: string[][] = [];
  const backup = async (paths: string[]) => {
    backups.push(paths.map((p) => path.relative(workspace, p)));
    return "backup-1";
  };
  return { workspace, state, store, cs: cs!, backups, backup };
}

const file = (p: string, kind: ListingChange["kind"], sha256?: string, extra: Partial<Captured> = {}): Captured => ({ path: p, kind, type: "file", mode: 0o644, size: 1, modeOnly: false, needsContent: kind !== "deleted", sha256, ...extra });

describe("changesets: store and apply", () => {
  it("adds, modifies and deletes files atomically, saving what it replaces first", async () => {
    const t = setup({ "keep.txt": "old\n", "gone.txt": "bye\n" }, (blob) => [file("keep.txt", "modified", blob("new\n")), file("out/report.txt", "added", blob("report\n"), { mode: 0o600 }), file("gone.txt", "deleted")]);
    expect(t.cs.status).toBe("pending");
    const report = await applyChangeset(t.store, t.cs, { backup: t.backup });
    expect(report.applied.sort()).toEqual(["gone.txt", "keep.txt", "out/report.txt"]);
    expect(fs.readFileSync(path.join(t.workspace, "keep.txt"), "utf8")).toBe("new\n");
    expect(fs.readFileSync(path.join(t.workspace, "out/report.txt"), "utf8")).toBe("report\n");
    expect(fs.statSync(path.join(t.workspace, "out/report.txt")).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(t.workspace, "gone.txt"))).toBe(false);
    expect(t.backups).toEqual([["keep.txt", "gone.txt"]]);
    expect(report.backupId).toBe("backup-1");
    expect(t.store.load(t.cs.id).status).toBe("applied");
    expect(fs.readdirSync(t.workspace).filter((n) => n.includes("firebreak-apply"))).toEqual([]);
  });

  it("leaves a host file that changed since the copy-in alone, as a conflict, and applies the rest", async () => {
    const t = setup({ "a.txt": "a\n", "b.txt": "b\n" }, (blob) => [file("a.txt", "modified", blob("guest a\n")), file("b.txt", "modified", blob("guest b\n")), file("c.txt", "added", blob("guest c\n"))]);
    fs.writeFileSync(path.join(t.workspace, "a.txt"), "host edit\n");
    fs.writeFileSync(path.join(t.workspace, "c.txt"), "host made this\n");
    const report = await applyChangeset(t.store, t.cs, { backup: t.backup });
    expect(report.applied).toEqual(["b.txt"]);
    expect(report.conflicts).toEqual([
      { path: "a.txt", reason: "it changed on the host since the copy-in; not overwritten" },
      { path: "c.txt", reason: "it was created on the host since the copy-in; not overwritten" },
    ]);
    expect(fs.readFileSync(path.join(t.workspace, "a.txt"), "utf8")).toBe("host edit\n");
    expect(fs.readFileSync(path.join(t.workspace, "c.txt"), "utf8")).toBe("host made this\n");
    expect(t.store.load(t.cs.id).status).toBe("partial");
  });

  it("never writes .git/hooks/x, firebreak.toml or configured protected paths without includeProtected", async () => {
    const t = setup({}, (blob) => [
      file(".git/hooks/x", "added", blob("#!/bin/sh\ntouch pwned\n")),
      file("sub/.GIT/config", "added", blob("x")),
      file("firebreak.toml", "added", blob("[policy]\n")),
      file(".firebreak/commands/planted.md", "added", blob("planted")),
      file("secrets/key.pem", "added", blob("k")),
      file("docs/ok.txt", "added", blob("fine\n")),
    ], ["secrets/**"]);
    expect(t.cs.entries.filter((e) => e.protected).map((e) => e.path).sort()).toEqual([".firebreak/commands/planted.md", ".git/hooks/x", "firebreak.toml", "secrets/key.pem", "sub/.GIT/config"]);
    const first = await applyChangeset(t.store, t.cs, { backup: t.backup });
    expect(first.applied).toEqual(["docs/ok.txt"]);
    expect(first.refused.map((r) => r.path).sort()).toEqual([".firebreak/commands/planted.md", ".git/hooks/x", "firebreak.toml", "secrets/key.pem", "sub/.GIT/config"]);
    expect(fs.existsSync(path.join(t.workspace, ".git"))).toBe(false);
    expect(fs.existsSync(path.join(t.workspace, "firebreak.toml"))).toBe(false);
    const second = await applyChangeset(t.store, t.store.load(t.cs.id), { backup: t.backup, includeProtected: true });
    expect(second.applied.sort()).toContain(".git/hooks/x");
    expect(fs.readFileSync(path.join(t.workspace, ".git/hooks/x"), "utf8")).toContain("pwned");
  });

  it("refuses a symlink leading out of the workspace, and never writes through a host symlink", async () => {
    const elsewhere = tempDir("fb-elsewhere-");
    const t = setup({ "in/x": "x" }, (blob) => [
      { path: "escape", kind: "added", type: "symlink", mode: 0o777, size: 1, target: "../../etc", modeOnly: false, needsContent: false },
      { path: "abs", kind: "added", type: "symlink", mode: 0o777, size: 1, target: "/etc/passwd", modeOnly: false, needsContent: false },
      { path: "latest", kind: "added", type: "symlink", mode: 0o777, size: 1, target: "in/x", modeOnly: false, needsContent: false },
      file("out/evil.txt", "added", blob("pwned\n")),
    ]);
    fs.symlinkSync(elsewhere, path.join(t.workspace, "out"));
    const report = await applyChangeset(t.store, t.cs, { backup: t.backup });
    expect(report.applied).toEqual(["latest"]);
    expect(Object.fromEntries(report.refused.map((r) => [r.path, r.reason]))).toEqual({
      abs: "a symlink: its target is absolute (it could point anywhere on the host)",
      escape: "a symlink: its target leaves the workspace",
      "out/evil.txt": "a parent on the host is a symlink (out)",
    });
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    expect(fs.readlinkSync(path.join(t.workspace, "latest"))).toBe("in/x");
  });

  it("drops a touched file whose bytes and mode are unchanged; keeps a chmod as a mode-only change", async () => {
    const t = setup({ "same.txt": "same\n", "run.sh": "echo\n" }, (blob) => [file("same.txt", "modified", blob("same\n")), file("run.sh", "modified", blob("echo\n"), { mode: 0o755 })]);
    expect(t.cs.entries).toMatchObject([{ path: "run.sh", modeOnly: true }]);
    await applyChangeset(t.store, t.cs, { backup: t.backup });
    expect(fs.statSync(path.join(t.workspace, "run.sh")).mode & 0o777).toBe(0o755);
  });

  it("refuses corrupt stored content and an unknown or discarded changeset", async () => {
    const t = setup({}, (blob) => [file("a.txt", "added", blob("content\n"))]);
    fs.writeFileSync(t.store.blobPath(t.cs, t.cs.entries[0]!.sha256!), "tampered\n");
    const report = await applyChangeset(t.store, t.cs, { backup: t.backup });
    expect(report.conflicts).toEqual([{ path: "a.txt", reason: "its stored content is corrupt (sha256 mismatch); not applied" }]);
    expect(fs.existsSync(path.join(t.workspace, "a.txt"))).toBe(false);
    expect(() => t.store.load("19990101")).toThrow(ChangesError);
    const discarded = t.store.discard(t.store.load(t.cs.id.slice(0, 15)));
    await expect(applyChangeset(t.store, discarded, { backup: t.backup })).rejects.toThrow(/discarded/);
  });

  it("records nothing when a run changed nothing", () => {
    const workspace = tempDir("fb-ws-");
    const store = new ChangesetStore(tempDir("fb-state-"));
    expect(store.create({ invocationId: "i", command: "c", workspace, changes: [], skipped: [], hostSnapshot: new Map(), protectedPaths: [], artifacts: [] })).toBeUndefined();
    expect(store.list()).toEqual([]);
  });
});

describe("changesets: directories", () => {
  it("a new directory that already exists on the host (e.g. .git, never copied in) is left as it is", async () => {
    const dir = (p: string, kind: ListingChange["kind"] = "added"): Captured => ({ path: p, kind, type: "dir", mode: 0o700, size: 0, modeOnly: false, needsContent: false });
    const t = setup({}, (blob) => [dir("cache"), dir("cache/sub"), file("cache/sub/f", "added", blob("f\n"))]);
    fs.mkdirSync(path.join(t.workspace, "cache"), { mode: 0o755 });
    fs.chmodSync(path.join(t.workspace, "cache"), 0o755);
    const report = await applyChangeset(t.store, t.cs, { backup: t.backup });
    expect(report.conflicts).toEqual([]);
    expect(report.applied.sort()).toEqual(["cache", "cache/sub", "cache/sub/f"]);
    expect(fs.statSync(path.join(t.workspace, "cache")).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(t.workspace, "cache/sub")).mode & 0o777).toBe(0o700);
  });
});

describe("changesets: retention", () => {
  it("prune removes the oldest applied or discarded changesets beyond the limit and never a pending one", async () => {
    const state = tempDir("fb-state-");
    const workspace = tempDir("fb-ws-");
    const store = new ChangesetStore(state);
    const make = (i: number) => {
      fs.mkdirSync(path.join(store.stagingDir(`i${i}`), "blobs"), { recursive: true });
      const dir: Captured = { path: `d${i}`, kind: "added", type: "dir", mode: 0o755, size: 0, modeOnly: false, needsContent: false };
      return store.create({ invocationId: `i${i}`, command: "c", workspace, changes: [dir], skipped: [], hostSnapshot: new Map(), protectedPaths: [], artifacts: [], now: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) })!;
    };
    const [a, b, c, d] = [make(1), make(2), make(3), make(4)];
    store.discard(a);
    store.discard(b);
    store.discard(d);
    expect(store.prune(1).sort()).toEqual([a.id, b.id].sort());
    expect(store.list().map((s) => s.id)).toEqual([d.id, c.id]);
  });
});
