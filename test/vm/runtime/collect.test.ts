/**
 * collectSnapshots over a fake state dir: templates of an old image, of the old /dev/shm layout and unusable ones
 * go; in-use, current and being-made templates stay; images beyond the newest N go, never the current one or one an
 * in-use template needs; stray template RAM files go unless a process maps them.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collectSnapshots } from "../../../src/vm/collect.js";
import { vmConfigSchema } from "../../../src/vm/config-schema.js";
import type { GuestImage } from "../../../src/vm/image/builder.js";
import { currentOwner, writeOwnerRecord } from "../../../src/vm/owner-record.js";
import { SNAPSHOT_FORMAT } from "../../../src/vm/qemu/snapshot-files.js";
import { VmRuntime } from "../../../src/vm/runtime.js";
import { tempDir } from "../../helpers/tmp.js";

const children: ChildProcess[] = [];
const hasPython = spawnSync("python3", ["-c", "import mmap"]).status === 0;
const MAP_SCRIPT = "import mmap,sys,time\nf=open(sys.argv[1],'r+b')\nm=mmap.mmap(f.fileno(),0,flags=mmap.MAP_PRIVATE)\nprint('mapped',flush=True)\ntime.sleep(60)";
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

function fakeImage(stateDir: string, key: string, builtAt: string): GuestImage {
  const dir = path.join(stateDir, "images", key);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ["bzImage", "vmlinux", "initramfs.cpio.gz"]) fs.writeFileSync(path.join(dir, f), f);
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ key, builtAt }));
  return { key, keys: {} as GuestImage["keys"], dir, bzImage: path.join(dir, "bzImage"), vmlinux: path.join(dir, "vmlinux"), initrd: path.join(dir, "initramfs.cpio.gz"), kernelRelease: "6.1", builtAt };
}

/** A QEMU template made from `image`; `ramFile` elsewhere = the old /dev/shm layout (format v1). */
function fakeTemplate(stateDir: string, name: string, image: GuestImage, opts: { format?: string; ramFile?: string } = {}): string {
  const dir = path.join(stateDir, "snapshots", name);
  fs.mkdirSync(dir, { recursive: true });
  const ramFile = opts.ramFile ?? path.join(dir, "ram");
  fs.writeFileSync(ramFile, "ram");
  fs.writeFileSync(path.join(dir, "state"), "state");
  const spec = { vcpus: 1, memoryMb: 256, network: false, kernelPath: image.bzImage, initrdPath: image.initrd, runDir: "/tmp/x" };
  const record = { format: opts.format ?? SNAPSHOT_FORMAT, backend: "qemu", id: name, dir, spec, createdAt: "", ramFile, stateFile: path.join(dir, "state"), launch: { kernelPath: image.bzImage, initrdPath: image.initrd } };
  fs.writeFileSync(path.join(dir, "snapshot.json"), JSON.stringify(record));
  return dir;
}

function setUp() {
  const stateDir = tempDir("collect-state-");
  const ramDir = tempDir("collect-ram-");
  const runtime = new VmRuntime(vmConfigSchema.parse({}), stateDir);
  const oldest = fakeImage(stateDir, "1111111111111111", "2026-01-01T00:00:00Z");
  const older = fakeImage(stateDir, "2222222222222222", "2026-02-01T00:00:00Z");
  const old = fakeImage(stateDir, "3333333333333333", "2026-03-01T00:00:00Z");
  const current = fakeImage(stateDir, "4444444444444444", "2026-04-01T00:00:00Z");
  runtime.image = async () => current;
  return { stateDir, ramDir, runtime, images: { oldest, older, old, current } };
}

describe("collectSnapshots", () => {
  it("removes templates of older images and unusable ones, keeps current, in-use and being-made ones", async () => {
    const { stateDir, ramDir, runtime, images } = setUp();
    const current = fakeTemplate(stateDir, "tpl-current", images.current);
    const stale = fakeTemplate(stateDir, "tpl-stale", images.old);
    const pinned = fakeTemplate(stateDir, "tpl-pinned", images.oldest);
    const v1Ram = path.join(ramDir, "firebreak-snap-aaaa.ram");
    const v1 = fakeTemplate(stateDir, "tpl-v1", images.current, { format: "firebreak-qemu-snapshot-v1", ramFile: v1Ram });
    const broken = path.join(stateDir, "snapshots", "tpl-broken");
    fs.mkdirSync(broken);
    const making = path.join(stateDir, "snapshots", "tpl-making");
    fs.mkdirSync(making);
    writeOwnerRecord({ ...currentOwner(), backend: "qemu", runDir: making, trees: [making], files: [], createdAt: "" });

    const report = await collectSnapshots(runtime, { keepImages: 1, inUse: new Set(["tpl-pinned"]), ramDir });
    expect(report.removedTemplates.sort()).toEqual([broken, stale, v1].sort());
    expect(report.removedRamFiles).toEqual([v1Ram]);
    for (const dir of [current, pinned, making]) expect(fs.existsSync(dir)).toBe(true);
    for (const dir of [stale, v1, broken]) expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync(v1Ram)).toBe(false);
    // Images: current always; the in-use template's (oldest); the newest other one (old); older goes.
    expect(report.removedImages).toEqual([images.older.dir]);
    for (const image of [images.current, images.old, images.oldest]) expect(fs.existsSync(image.dir)).toBe(true);
  });

  it("never removes the current image, even with keepImages 0", async () => {
    const { runtime, ramDir, images } = setUp();
    const report = await collectSnapshots(runtime, { keepImages: 0, ramDir });
    expect(report.removedImages.sort()).toEqual([images.oldest.dir, images.older.dir, images.old.dir].sort());
    expect(fs.existsSync(images.current.dir)).toBe(true);
  });

  it.skipIf(!hasPython)("removes stray template RAM files no record references, unless a process maps them", async () => {
    const { stateDir, ramDir, runtime, images } = setUp();
    const referenced = path.join(ramDir, "firebreak-snap-bbbb.ram");
    fakeTemplate(stateDir, "tpl-v1-current", images.current, { format: "firebreak-qemu-snapshot-v1", ramFile: referenced });
    const stray = path.join(ramDir, "firebreak-snap-cccc.ram");
    const mapped = path.join(ramDir, "firebreak-snap-dddd.ram");
    const notTemplate = path.join(ramDir, "firebreak-eeee.ram");
    for (const f of [stray, mapped, notTemplate]) fs.writeFileSync(f, Buffer.alloc(4096));
    // A clone of another state dir's template maps its RAM file, like QEMU does (MAP_PRIVATE).
    const mapper = spawn("python3", ["-c", MAP_SCRIPT, mapped], { stdio: ["ignore", "pipe", "ignore"] });
    children.push(mapper);
    await new Promise((resolve) => mapper.stdout!.once("data", resolve));

    const report = await collectSnapshots(runtime, { keepImages: 5, ramDir });
    expect(report.removedRamFiles).toContain(stray);
    expect(report.removedRamFiles).toContain(referenced); // its template was v1: unusable, removed with it
    expect(fs.existsSync(notTemplate)).toBe(true);
    expect(fs.existsSync(mapped)).toBe(true);
    expect(report.kept).toContain(`${mapped}: mapped by a running process`);
  });
});

