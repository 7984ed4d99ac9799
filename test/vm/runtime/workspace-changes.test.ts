import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { pathMatcher, protectionOf } from "../../../src/changes/path-safety.js";
import { captureWorkspaceChanges } from "../../../src/vm/workspace-changes.js";
import { tempDir, writeTree } from "../../helpers/tmp.js";
import { useSharedAgent } from "../agent/agent-process.js";

const shared = useSharedAgent();
const isProtected = (rel: string) => protectionOf(rel, pathMatcher([])) !== undefined;

/** A directory standing in for the guest's /work, with the agent (run on the host) as the guest. */
async function guestWith(files: Record<string, string>) {
  const guest = tempDir("fb-guest-");
  writeTree(guest, files);
  const baseline = await shared.client.walk(guest);
  await new Promise((r) => setTimeout(r, 15)); // a later ctime
  return { guest, baseline, blobDir: path.join(tempDir("fb-blobs-"), "blobs") };
}

describe("captureWorkspaceChanges (real agent on the host)", () => {
  it("brings back new and changed files with their contents, and deletions, leaving untouched files out", async () => {
    const g = await guestWith({ "keep.txt": "same\n", "edit.txt": "before\n", "gone.txt": "x\n" });
    fs.writeFileSync(path.join(g.guest, "edit.txt"), "after\n");
    fs.rmSync(path.join(g.guest, "gone.txt"));
    writeTree(g.guest, { "out/report.txt": "report\n" });
    const captured = await captureWorkspaceChanges(shared.client, g.guest, g.baseline, { blobDir: g.blobDir, maxBytes: 1 << 20, exclude: [".git", "node_modules"], isProtected });
    expect(captured.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(["modified edit.txt", "deleted gone.txt", "added out", "added out/report.txt"]);
    const report = captured.changes.find((c) => c.path === "out/report.txt")!;
    expect(fs.readFileSync(path.join(g.blobDir, report.sha256!), "utf8")).toBe("report\n");
    expect(captured.skipped).toEqual([]);
  });

  it("skips what a hostile guest plants: control characters in names, special files, symlinks out; lists protected paths", async () => {
    const g = await guestWith({ "a.txt": "a" });
    writeTree(g.guest, { "bad\nname.txt": "z", ".git/hooks/pre-commit": "#!/bin/sh\n", "ok.txt": "ok" });
    fs.symlinkSync("/etc/passwd", path.join(g.guest, "abs-link"));
    fs.symlinkSync("../../outside", path.join(g.guest, "up-link"));
    const captured = await captureWorkspaceChanges(shared.client, g.guest, g.baseline, { blobDir: g.blobDir, maxBytes: 1 << 20, exclude: [".git", "node_modules"], isProtected });
    expect(captured.changes.map((c) => c.path)).toEqual([".git", ".git/hooks", ".git/hooks/pre-commit", "ok.txt"]);
    expect(Object.fromEntries(captured.skipped.map((s) => [s.path, s.reason]))).toEqual({
      "abs-link": "a symlink: its target is absolute (it could point anywhere on the host)",
      "bad\nname.txt": "the name contains control or invisible characters",
      "up-link": "a symlink: its target leaves the workspace",
    });
  });

  it("summarises excluded directories in one line instead of bringing them back", async () => {
    const g = await guestWith({});
    writeTree(g.guest, Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`node_modules/pkg${i}/index.js`, "x"])));
    const captured = await captureWorkspaceChanges(shared.client, g.guest, g.baseline, { blobDir: g.blobDir, maxBytes: 1 << 20, exclude: [".git", "node_modules"], isProtected });
    expect(captured.changes).toEqual([]);
    expect(captured.skipped).toEqual([{ path: "node_modules", reason: "excluded from the copy ([vm] copy_exclude); changes under it are not brought back" }]);
  });

  it("enforces the size cap while streaming and leaves no partial blob", async () => {
    const g = await guestWith({});
    fs.writeFileSync(path.join(g.guest, "a-small.bin"), Buffer.alloc(600_000, 1));
    fs.writeFileSync(path.join(g.guest, "b-huge.bin"), Buffer.alloc(8 * 1024 * 1024, 2));
    fs.writeFileSync(path.join(g.guest, "c-small.bin"), Buffer.alloc(600_000, 3));
    const captured = await captureWorkspaceChanges(shared.client, g.guest, g.baseline, { blobDir: g.blobDir, maxBytes: 1_000_000, exclude: [], isProtected });
    expect(captured.changes.map((c) => c.path)).toEqual(["a-small.bin"]);
    expect(captured.skipped.map((s) => s.path)).toEqual(["b-huge.bin", "c-small.bin"]);
    expect(captured.skipped[0]?.reason).toMatch(/changes exceed 1000000 bytes/);
    expect(fs.readdirSync(g.blobDir)).toHaveLength(1);
  });
});
