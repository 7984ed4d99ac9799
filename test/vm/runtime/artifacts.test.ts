import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDefinition } from "../../../src/commands/parse.js";
import { artifactMatcher, collectArtifacts } from "../../../src/vm/artifacts.js";
import { tempDir, writeTree } from "../../helpers/tmp.js";
import { useSharedAgent } from "../agent/agent-process.js";

describe("artifactMatcher", () => {
  it("matches *, ** and ? on relative paths only", () => {
    const m = artifactMatcher(["backup-*.tar.gz", "reports/**/*.txt", "log-?.json"]);
    expect(m("backup-2026.tar.gz")).toBe(true);
    expect(m("sub/backup-2026.tar.gz")).toBe(false);
    expect(m("reports/a/b/x.txt")).toBe(true);
    expect(m("reports/x.txt")).toBe(true);
    expect(m("log-1.json")).toBe(true);
    expect(m("log-12.json")).toBe(false);
    expect(m("backup-x.tar.gzz")).toBe(false);
  });

  it("refuses absolute and parent-escaping patterns in a definition", () => {
    for (const bad of ["/etc/passwd", "../secret", "a/../../b"]) {
      expect(() => parseDefinition(`---\nname: x\ndescription: d\nartifacts: [${JSON.stringify(bad)}]\n---\n`, { file: "x.md" }), bad).toThrow(/artifacts\[0\]/);
    }
  });
});

describe("collectArtifacts (real agent on the host)", () => {
  const shared = useSharedAgent();

  it("copies matching regular files out, never over an existing host file", async () => {
    const guest = tempDir("fb-guest-");
    const host = tempDir("fb-host-");
    writeTree(guest, { "out/report.txt": "report\n", "out/skip.log": "no\n", "keep.txt": "guest version\n" });
    writeTree(host, { "keep.txt": "host version\n" });
    const report = await collectArtifacts(shared.client, guest, ["out/*.txt", "keep.txt"], host);
    expect(report.copied).toEqual(["out/report.txt"]);
    expect(report.skipped).toEqual([{ path: "keep.txt", reason: "exists on the host; not overwritten" }]);
    expect(fs.readFileSync(path.join(host, "out/report.txt"), "utf8")).toBe("report\n");
    expect(fs.readFileSync(path.join(host, "keep.txt"), "utf8")).toBe("host version\n");
    expect(fs.existsSync(path.join(host, "out/skip.log"))).toBe(false);
  });

  it("never follows a host symlink out of the working directory", async () => {
    const guest = tempDir("fb-guest-");
    const host = tempDir("fb-host-");
    const elsewhere = tempDir("fb-elsewhere-");
    writeTree(guest, { "out/evil.txt": "pwned\n" });
    fs.symlinkSync(elsewhere, path.join(host, "out"));
    const report = await collectArtifacts(shared.client, guest, ["out/*.txt"], host);
    expect(report.copied).toEqual([]);
    expect(report.skipped).toEqual([{ path: "out/evil.txt", reason: "would land outside the working directory" }]);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});
