import { describe, expect, it } from "vitest";
import { diffListings, type ListedEntry } from "../../src/changes/diff.js";

const f = (path: string, ctime: bigint, extra: Partial<ListedEntry> = {}): ListedEntry => ({ path, type: "file", mode: 0o644, size: 3, ctimeNs: ctime, ...extra });

describe("diffListings", () => {
  it("finds added, deleted and changed paths; an untouched ctime is unchanged", () => {
    const before = [f("same", 1n), f("written", 1n), f("gone", 1n), f("chmod", 1n), { ...f("dir", 1n), type: "dir" as const }];
    const after = [f("same", 1n), f("written", 2n), f("chmod", 2n, { mode: 0o755 }), f("new", 2n), { ...f("dir", 9n), type: "dir" as const }];
    expect(diffListings(before, after).map((c) => [c.kind, c.path, c.needsContent, c.modeOnly])).toEqual([
      ["modified", "chmod", true, false],
      ["deleted", "gone", false, false],
      ["added", "new", true, false],
      ["modified", "written", true, false],
    ]);
  });

  it("reports a directory only when added, deleted or re-moded, and a symlink when its target changed", () => {
    const d = (path: string, mode = 0o755): ListedEntry => ({ path, type: "dir", mode, size: 0, ctimeNs: 1n });
    const l = (path: string, target: string): ListedEntry => ({ path, type: "symlink", mode: 0o777, size: 1, ctimeNs: 1n, target });
    const changes = diffListings([d("a"), d("b"), l("x", "a"), l("y", "b")], [d("a", 0o700), d("c"), l("x", "a"), l("y", "c")]);
    expect(changes.map((c) => `${c.kind} ${c.path}${c.modeOnly ? " (mode)" : ""}`)).toEqual(["modified a (mode)", "deleted b", "added c", "modified y"]);
  });

  it("sees a type change (file replaced by a directory) as a modification", () => {
    const changes = diffListings([f("p", 1n)], [{ path: "p", type: "dir", mode: 0o755, size: 0, ctimeNs: 2n }]);
    expect(changes).toMatchObject([{ kind: "modified", type: "dir", needsContent: false }]);
  });
});
