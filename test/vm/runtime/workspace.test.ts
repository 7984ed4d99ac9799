import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { VmError } from "../../../src/errors.js";
import { guestEnv } from "../../../src/vm/runner.js";
import { VmRuntime } from "../../../src/vm/runtime.js";
import { vmConfigSchema } from "../../../src/vm/config-schema.js";
import { packWorkspace } from "../../../src/vm/workspace-tar.js";
import { tempDir, writeTree } from "../../helpers/tmp.js";

describe("packWorkspace", () => {
  it("packs the directory without excluded names, readable by tar", async () => {
    const dir = tempDir();
    writeTree(dir, { "a.txt": "a", "src/b.ts": "b", "node_modules/x/index.js": "x", ".git/HEAD": "ref" });
    const tar = await packWorkspace(dir, [".git", "node_modules"], 1 << 20);
    const out = tempDir();
    execFileSync("tar", ["-xf", "-", "-C", out], { input: tar });
    expect(fs.readFileSync(path.join(out, "src/b.ts"), "utf8")).toBe("b");
    expect(fs.existsSync(path.join(out, "node_modules"))).toBe(false);
    expect(fs.existsSync(path.join(out, ".git"))).toBe(false);
  });

  it("packs what GNU tar --format=gnu packs: modes, mtimes, symlinks, hard links, FIFOs, long names, excludes at any depth", async () => {
    const dir = tempDir();
    const long = `${"d".repeat(70)}/${"e".repeat(70)}/${"f".repeat(40)}.txt`;
    writeTree(dir, { "run.sh": "#!/bin/sh\n", [long]: "deep", "sub/.git/x": "no", "sub/keep.log": "kept?", "sub/y.txt": "y" });
    fs.chmodSync(path.join(dir, "run.sh"), 0o751);
    fs.utimesSync(path.join(dir, "run.sh"), 1_234_567, 1_234_567);
    fs.symlinkSync("../run.sh", path.join(dir, "sub", "link"));
    fs.symlinkSync(`${"t/".repeat(60)}target`, path.join(dir, "long-link"));
    fs.linkSync(path.join(dir, "sub", "y.txt"), path.join(dir, "hard"));
    execFileSync("mkfifo", [path.join(dir, "fifo")]);
    const exclude = [".git", "*.log"];
    const listing = (tar: Buffer) =>
      execFileSync("tar", ["--numeric-owner", "-tvf", "-"], { input: tar, encoding: "utf8", env: { ...process.env, TZ: "UTC", LC_ALL: "C" } })
        .split("\n")
        .filter(Boolean)
        .map((l) => l.replace(/\s+/g, " "))
        .sort();
    const gnu = execFileSync("tar", ["--format=gnu", "--sort=name", ...exclude.map((e) => `--exclude=${e}`), "-C", dir, "-cf", "-", "."], { maxBuffer: 1 << 24 });
    const ours = await packWorkspace(dir, exclude, 1 << 20);
    expect(listing(ours)).toEqual(listing(gnu));
    expect(listing(ours).join("\n")).toContain(`./${long}`);
    const out = tempDir();
    execFileSync("tar", ["-xf", "-", "-C", out], { input: ours });
    expect(fs.readFileSync(path.join(out, long), "utf8")).toBe("deep");
    expect(fs.statSync(path.join(out, "hard")).ino).toBe(fs.statSync(path.join(out, "sub", "y.txt")).ino);
  });

  it("packs the directory a symlinked working directory points to", async () => {
    const dir = tempDir();
    writeTree(dir, { "real/a.txt": "a" });
    fs.symlinkSync("real", path.join(dir, "link"));
    const out = tempDir();
    execFileSync("tar", ["-xf", "-", "-C", out], { input: await packWorkspace(path.join(dir, "link"), [], 1 << 20) });
    expect(fs.readFileSync(path.join(out, "a.txt"), "utf8")).toBe("a");
  });

  it("refuses a workspace over the size limit instead of copying part of it", async () => {
    const dir = tempDir();
    writeTree(dir, { "big.bin": "x".repeat(200_000) });
    await expect(packWorkspace(dir, [], 50_000)).rejects.toThrow(VmError);
    await expect(packWorkspace(dir, [], 50_000)).rejects.toThrow(/larger than \[vm\] copy_max_mb/);
  });
});

describe("guest environment", () => {
  it("keeps the guest's own PATH, HOME and TMPDIR and passes the rest", () => {
    expect(guestEnv({ PATH: "/root/.nvm/bin", HOME: "/home/me", TMPDIR: "/var/t", LANG: "C.UTF-8", FIREBREAK_ROLE: "dev" })).toEqual({
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      HOME: "/root",
      TMPDIR: "/tmp",
      LANG: "C.UTF-8",
      FIREBREAK_ROLE: "dev",
    });
  });
});

describe("VmRuntime", () => {
  const runtime = (over: Record<string, unknown> = {}) => new VmRuntime(vmConfigSchema.parse(over), tempDir());

  it("shapes a VM from the command's limits over the role's vm_type over [vm] defaults", () => {
    const rt = runtime({ memory_mb: 300, disk_mb: 50 });
    expect(rt.shape(undefined)).toEqual({ vcpus: 1, memoryMb: 300, diskMb: 50, network: false });
    expect(rt.shape({ max_memory_mb: 1024, network_access: true }, { vcpus: 2, memory_mb: 512, disk_mb: 64 })).toEqual({ vcpus: 2, memoryMb: 1024, diskMb: 64, network: true });
  });

  it("selects no backend when configured off, and says so", async () => {
    const selected = await runtime({ backend: "none" }).select();
    expect(selected.backend).toBeUndefined();
    expect(selected.reasons).toEqual(['[vm] backend = "none" in the configuration']);
  });

  it("explains why no backend is usable when none is installed", async () => {
    const selected = await runtime({ backend: "qemu", qemu_binary: "/nonexistent/qemu-system-x86_64" }).select();
    expect(selected.backend).toBeUndefined();
    expect(selected.reasons.join(" ")).toContain("not runnable");
  });

  it("keeps images and snapshots in [vm] cache_dir when set", () => {
    const dir = tempDir();
    expect(new VmRuntime(vmConfigSchema.parse({ cache_dir: dir }), "/elsewhere").snapshotsDir()).toBe(path.join(dir, "snapshots"));
  });
});
