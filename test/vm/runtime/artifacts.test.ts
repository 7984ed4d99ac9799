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
    expect(report.skipped).toEqual([{ path: "keep.txt", reason: "it exists on the host (or is a symlink there); not overwritten" }]);
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
    expect(report.skipped).toEqual([{ path: "out/evil.txt", reason: expect.stringMatching(/outside the working directory/) }]);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});

describe("collectArtifacts refuses what a hostile guest plants (issue 11, item 5)", () => {
  const shared = useSharedAgent();

  it("never writes into .git/, .firebreak/, firebreak.toml or configured protected paths; copies the rest", async () => {
    const guest = tempDir("fb-guest-");
    const host = tempDir("fb-host-");
    writeTree(guest, {
      ".git/hooks/pre-commit": "#!/bin/sh\ntouch pwned\n",
      ".firebreak/commands/planted.md": "---\nname: planted\ndescription: d\ncommand: touch pwned\n---\n",
      "firebreak.toml": "[policy]\nlocal_risk_ceiling = 'critical'\n",
      "vendor/lib/.git/config": "x",
      "sub/.GIT/hooks/x": "x",
      "secrets/key.pem": "k",
      "docs/ok.txt": "fine\n",
    });
    const report = await collectArtifacts(shared.client, guest, ["**"], host, { protect: ["secrets/**"] });
    expect(report.copied).toEqual(["docs/ok.txt"]);
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]));
    expect(reasons).toEqual({
      ".firebreak/commands/planted.md": "it would write into .git/ or .firebreak/ (protected)",
      ".git/hooks/pre-commit": "it would write into .git/ or .firebreak/ (protected)",
      "firebreak.toml": "it would write a firebreak.toml (protected)",
      "secrets/key.pem": "it matches [vm] artifact_protect",
      "sub/.GIT/hooks/x": "it would write into .git/ or .firebreak/ (protected)",
      "vendor/lib/.git/config": "it would write into .git/ or .firebreak/ (protected)",
    });
    expect(fs.readdirSync(host).sort()).toEqual(["docs"]);
  });

  it("refuses a file behind a dangling host symlink or with a newline in its name, and copies the others", async () => {
    const guest = tempDir("fb-guest-");
    const host = tempDir("fb-host-");
    writeTree(guest, { "out/x.txt": "x", "link.txt": "y", "bad\nname.txt": "z", "good.txt": "ok" });
    fs.symlinkSync(path.join(host, "missing-dir"), path.join(host, "out"));
    fs.symlinkSync(path.join(host, "missing-file"), path.join(host, "link.txt"));
    const report = await collectArtifacts(shared.client, guest, ["**"], host);
    expect(report.copied).toEqual(["good.txt"]);
    expect(report.skipped).toEqual([
      { path: "bad\nname.txt", reason: "the name contains control or invisible characters" },
      { path: "link.txt", reason: "it exists on the host (or is a symlink there); not overwritten" },
      { path: "out/x.txt", reason: "a parent on the host is a dangling symlink (out)" },
    ]);
    expect(fs.existsSync(path.join(host, "missing-dir"))).toBe(false);
    expect(fs.existsSync(path.join(host, "missing-file"))).toBe(false);
  });

  it("enforces the size cap while streaming: an oversized artifact is never held in memory, nothing partial is left", async () => {
    const guest = tempDir("fb-guest-");
    const host = tempDir("fb-host-");
    fs.writeFileSync(path.join(guest, "a-small.bin"), Buffer.alloc(600_000, 1));
    fs.writeFileSync(path.join(guest, "b-huge.bin"), Buffer.alloc(96 * 1024 * 1024, 2));
    fs.writeFileSync(path.join(guest, "c-small.bin"), Buffer.alloc(600_000, 3));
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 5);
    const report = await collectArtifacts(shared.client, guest, ["*.bin"], host, { maxBytes: 1_000_000 }).finally(() => clearInterval(sampler));
    expect(report.copied).toEqual(["a-small.bin"]);
    expect(report.skipped.map((s) => s.path)).toEqual(["b-huge.bin", "c-small.bin"]);
    expect(report.skipped[0]?.reason).toMatch(/artifacts exceed 1000000 bytes/);
    expect(fs.readdirSync(host)).toEqual(["a-small.bin"]);
    // Buffering the 96 MiB file whole (and concatenating it) took over 96 MiB; streaming holds a few frames.
    expect(peak - before).toBeLessThan(48 * 1024 * 1024);
  }, 60_000);
});
