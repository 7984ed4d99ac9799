/**
 * The six bundled examples as a user runs them in a fresh git project, twice each, with real microVMs under TCG
 * (the VM-placed ones), and a VM run's changes coming back through a changeset.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolvePaths } from "../../src/paths.js";
import { runCli } from "../helpers/cli.js";
import { definition, isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";
import { reportMissingVmEnv, vmTestEnv } from "../vm/qemu/vm-env.js";

const VM_TIMEOUT_MS = 240_000;

/** A fresh git project using the machine's guest image (built by the test set-up); everything else in a temp home. */
function gitProject(files: Record<string, string> = {}) {
  const home = tempDir("fb-home-");
  const project = tempDir("fb-proj-");
  writeTree(project, {
    "firebreak.toml": `[vm]\nbackend = "qemu"\ncache_dir = ${JSON.stringify(resolvePaths(process.env).stateDir)}\n`,
    "index.html": "<h1>app</h1>\n",
    "src/app.js": "console.log('app')\n",
    ...files,
  });
  execFileSync("git", ["init", "-q"], { cwd: project });
  const env = { ...isolatedEnv(home), FIREBREAK_DAEMON: "off" };
  const cli = (...args: string[]) => runCli(args, { cwd: project, env });
  return { project, home, env, cli };
}

describe("local examples work twice in a fresh git project", () => {
  it("hello-world, search and test", async () => {
    const p = gitProject({ Makefile: "test:\n\t@echo tests passed\n" });
    for (let i = 0; i < 2; i++) {
      expect(await p.cli("run", "hello-world", "Ada", "--greeting", "hi")).toMatchObject({ code: 0, stdout: "hi, Ada!\n" });
      const search = await p.cli("run", "search", "console");
      expect(search.code).toBe(0);
      expect(search.stdout).toContain("src/app.js");
      const test = await p.cli("run", "test");
      expect(test.code).toBe(0);
      expect(test.stdout).toContain("tests passed");
    }
  });

  it("refuses a backup of a path outside the workspace before any VM starts", async () => {
    const p = gitProject();
    for (const target of ["/etc", "../elsewhere"]) {
      const r = await p.cli("run", "backup", target, "--plan");
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/'target': .*(absolute|leaves the working directory)/);
    }
    fs.symlinkSync("/etc", path.join(p.project, "etc-link"));
    const viaLink = await p.cli("run", "backup", "etc-link");
    expect(viaLink.code).toBe(2);
    expect(viaLink.stderr).toContain("leads outside the working directory");
    expect(viaLink.stderr).not.toContain("microVM");
    const missing = await p.cli("run", "backup", "nothing-here");
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining("does not exist") });
  });
});

const env = await vmTestEnv();
reportMissingVmEnv(env, "VM-placed examples");
describe.runIf(env.ok)("VM-placed examples and changesets (real microVMs)", { timeout: VM_TIMEOUT_MS }, () => {
  it("deploy staging produces a release in the workspace, twice", async () => {
    const p = gitProject();
    const first = await p.cli("run", "deploy", "staging");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/staging now serves release \d{8}T\d{6}Z: releases\/staging\/\S+ in the workspace/);
    const release = fs.readlinkSync(path.join(p.project, "releases/staging/current"));
    expect(fs.readFileSync(path.join(p.project, "releases/staging", release, "index.html"), "utf8")).toBe("<h1>app</h1>\n");
    expect(fs.existsSync(path.join(p.project, "releases/staging", release, "firebreak.toml"))).toBe(false);
    expect(first.stderr).toContain("applied to the host (the command's artifacts): releases");
    const second = await p.cli("run", "deploy", "staging");
    expect(second.code, second.stderr).toBe(0);
    const releases = fs.readdirSync(path.join(p.project, "releases/staging")).filter((n) => n !== "current");
    expect(releases).toHaveLength(2);
    expect(fs.readlinkSync(path.join(p.project, "releases/staging/current"))).not.toBe(release);
    // A release never contains the earlier ones.
    expect(fs.existsSync(path.join(p.project, "releases/staging", fs.readlinkSync(path.join(p.project, "releases/staging/current")), "releases"))).toBe(false);
  });

  it("security-audit: a fresh report each run; --fix comes back as a changeset that 'changes apply' brings to the host", async () => {
    const p = gitProject({ "open.txt": "world-writable\n" });
    fs.chmodSync(path.join(p.project, "open.txt"), 0o666);
    const fix = await p.cli("run", "security-audit", "--role", "security", "--fix");
    expect(fix.code, fix.stderr).toBe(0);
    expect(fs.readFileSync(path.join(p.project, "security-audit-report.txt"), "utf8")).toContain("./open.txt");
    expect(fs.statSync(path.join(p.project, "open.txt")).mode & 0o777).toBe(0o666); // not applied without a terminal
    const id = /apply with 'firebreak changes apply (\S+)'/.exec(fix.stderr)?.[1];
    expect(id).toBeDefined();
    const apply = await p.cli("changes", "apply", id!);
    expect(apply.code, apply.stderr).toBe(0);
    expect(fs.statSync(path.join(p.project, "open.txt")).mode & 0o777).toBe(0o664);
    const again = await p.cli("run", "security-audit", "--role", "security");
    expect(again.code, again.stderr).toBe(0);
    const report = fs.readFileSync(path.join(p.project, "security-audit-report.txt"), "utf8");
    expect(report).not.toContain("./open.txt");
  });

  it("backup <path> <dest> delivers the archive to dest, twice", async () => {
    const p = gitProject();
    for (const dest of ["out/site.tgz", "out/site.tgz"]) {
      const r = await p.cli("run", "backup", "src", dest);
      expect(r.code, r.stderr).toBe(0);
      const listing = execFileSync("tar", ["-tzf", path.join(p.project, dest)], { encoding: "utf8" });
      expect(listing).toContain("src/app.js");
    }
    const byDefault = await p.cli("run", "backup", "src");
    expect(byDefault.code, byDefault.stderr).toBe(0);
    expect(fs.readdirSync(p.project).filter((n) => /^backup-\d{8}T\d{6}Z\.tar\.gz$/.test(n))).toHaveLength(1);
  });

  it("a VM-placed command's new file arrives with 'changes apply'; its write to .git/hooks/x needs the explicit flag", async () => {
    const p = gitProject({ ".firebreak/commands/scribble.md": definition("scribble", "execution_mode: firecracker\n", "echo made > made.txt && mkdir -p .git/hooks && echo 'touch pwned' > .git/hooks/x") });
    const run = await p.cli("run", "scribble");
    expect(run.code, run.stderr).toBe(0);
    expect(fs.existsSync(path.join(p.project, "made.txt"))).toBe(false);
    const id = /apply with 'firebreak changes apply (\S+)'/.exec(run.stderr)?.[1] ?? "";
    const listed = await p.cli("changes", "list", "--json");
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id, status: "pending", protected: expect.any(Number) }]);
    const apply = await p.cli("changes", "apply", id);
    expect(apply.code).toBe(1); // something was refused
    expect(apply.stdout).toContain("refused: .git/hooks/x (protected path");
    expect(fs.readFileSync(path.join(p.project, "made.txt"), "utf8")).toBe("made\n");
    expect(fs.existsSync(path.join(p.project, ".git/hooks/x"))).toBe(false);
    const unconfirmed = await p.cli("changes", "apply", id, "--include-protected");
    expect(unconfirmed.code).toBe(2);
    expect(fs.existsSync(path.join(p.project, ".git/hooks/x"))).toBe(false);
    const confirmed = await p.cli("changes", "apply", id, "--include-protected", "--yes");
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(fs.readFileSync(path.join(p.project, ".git/hooks/x"), "utf8")).toBe("touch pwned\n");
  });

  it("firebreak sh places a medium-risk line in a microVM; what it wrote comes back as a changeset", async () => {
    const p = gitProject();
    const r = await p.cli("sh", "--", "tar -cf site.tar index.html src");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/→ microVM/);
    expect(fs.existsSync(path.join(p.project, "site.tar"))).toBe(false);
    const id = /apply with 'firebreak changes apply (\S+)'/.exec(r.stderr)?.[1] ?? "";
    expect((await p.cli("changes", "apply", id)).code).toBe(0);
    expect(execFileSync("tar", ["-tf", path.join(p.project, "site.tar")], { encoding: "utf8" })).toContain("src/app.js");
  });
});
