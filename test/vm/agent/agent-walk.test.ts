import { chmodSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AgentRemoteError } from "../../../src/errors.js";
import { parseWalkListing } from "../../../src/vm/agent/index.js";
import { useSharedAgent } from "./agent-process.js";

const shared = useSharedAgent();

describe("agent walk (real agent binary on the host)", () => {
  it("lists files, directories and symlinks with lstat data, names with spaces and newlines included", async () => {
    const root = join(shared.agent.dir, "walk-tree");
    mkdirSync(join(root, "sub dir"), { recursive: true });
    writeFileSync(join(root, "a.txt"), "abc");
    writeFileSync(join(root, "sub dir", "line\nbreak"), "");
    chmodSync(join(root, "a.txt"), 0o751);
    symlinkSync("../a.txt", join(root, "sub dir", "link"));
    utimesSync(join(root, "a.txt"), 1_000_000, 1_000_000);
    const entries = await shared.client.walk(root);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect([...byPath.keys()].sort()).toEqual(["a.txt", "sub dir", "sub dir/line\nbreak", "sub dir/link"]);
    expect(byPath.get("a.txt")).toMatchObject({ type: "file", mode: 0o751, size: 3, mtimeNs: 1_000_000_000_000_000n });
    expect(byPath.get("sub dir")?.type).toBe("dir");
    expect(byPath.get("sub dir/link")).toMatchObject({ type: "symlink", target: "../a.txt" });
    expect(byPath.get("a.txt")!.ctimeNs).toBeGreaterThan(1_000_000_000_000_000n);
  });

  it("moves ctime on a write that keeps size and mtime", async () => {
    const root = join(shared.agent.dir, "walk-ctime");
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, "f"), "aaaa");
    utimesSync(join(root, "f"), 5, 5);
    const before = (await shared.client.walk(root))[0]!;
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(join(root, "f"), "bbbb");
    utimesSync(join(root, "f"), 5, 5);
    const after = (await shared.client.walk(root))[0]!;
    expect(after.mtimeNs).toBe(before.mtimeNs);
    expect(after.ctimeNs).toBeGreaterThan(before.ctimeNs);
  });

  it("refuses a path that is not a directory", async () => {
    const file = join(shared.agent.dir, "walk-file");
    writeFileSync(file, "x");
    await expect(shared.client.walk(file)).rejects.toBeInstanceOf(AgentRemoteError);
    await expect(shared.client.walk(join(shared.agent.dir, "missing"))).rejects.toMatchObject({ agentCode: "not_found" });
    rmSync(file);
  });

  it("refuses a malformed listing instead of guessing", () => {
    expect(() => parseWalkListing(Buffer.from("f 644 3 1.000000000\0a\0\0"))).toThrow(/malformed/);
    expect(() => parseWalkListing(Buffer.from("f 644 3 1.0 2.0\0a\0\0"))).toThrow(/bad time/);
    expect(() => parseWalkListing(Buffer.from("f 644 3 1.000000000 2.000000000\0a\0"))).toThrow(/multiple of 3/);
  });
});
