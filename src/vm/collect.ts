/**
 * Collection of what the VM runtime no longer uses: template snapshots made from an older guest image (or that can no
 * longer be restored), guest images beyond the newest few, and template RAM files left in /dev/shm by the old layout.
 * Never a template named in use, never the current image (nor one an in-use template was made from), never a
 * template being made, never a RAM file some process still maps.
 */
import fs from "node:fs";
import path from "node:path";
import { SNAPSHOT_META_FILE as FIRECRACKER_META } from "./firecracker/snapshot-files.js";
import { DEFAULT_RAM_DIR } from "./orphans.js";
import { isAlive, OWNER_RECORD_FILE, readOwnerRecord } from "./owner-record.js";
import { removeQemuSnapshot, SNAPSHOT_META } from "./qemu/snapshot-files.js";
import { usableSnapshot, type VmRuntime } from "./runtime.js";

/** Template RAM files of the layout before 2 (they lived in /dev/shm). */
const TEMPLATE_RAM_FILE = /^firebreak-snap-[0-9a-f]+\.ram$/;

export interface CollectReport {
  removedTemplates: string[];
  removedImages: string[];
  removedRamFiles: string[];
  kept: string[];
}

export interface CollectOptions {
  /** Guest images to keep, newest first (the current one is always kept, on top). */
  keepImages: number;
  /** Template names (directory names under the snapshots dir) a pool is restoring from: never removed. */
  inUse?: Set<string>;
  /** Where template RAM files of the old layout are looked for (default /dev/shm). */
  ramDir?: string;
}

/**
 * Removes unused templates, old images and stray template RAM files; reports each path and what it kept (with why).
 *
 * @example
 * const report = await collectSnapshots(runtime, { keepImages: 2, inUse: new Set(["tpl-qemu-256m-1c-128d-nonet-…"]) });
 */
export async function collectSnapshots(runtime: VmRuntime, opts: CollectOptions): Promise<CollectReport> {
  const report: CollectReport = { removedTemplates: [], removedImages: [], removedRamFiles: [], kept: [] };
  const inUse = opts.inUse ?? new Set<string>();
  const current = await runtime.image();
  const imagesDir = path.join(runtime.stateDir, "images");
  const snapshotsDir = runtime.snapshotsDir();
  const neededImages = new Set<string>(current ? [path.resolve(current.dir)] : []);

  for (const name of listDir(snapshotsDir).filter((n) => !n.endsWith(".lock"))) {
    const dir = path.join(snapshotsDir, name);
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    const imageOf = templateImageDir(dir, imagesDir);
    if (inUse.has(name)) {
      if (imageOf) neededImages.add(imageOf);
      report.kept.push(`${dir}: in use`);
      continue;
    }
    if (beingMade(dir)) {
      report.kept.push(`${dir}: being made`);
      continue;
    }
    const usable = await usableSnapshot(dir);
    const fromCurrent = current !== undefined && imageOf === path.resolve(current.dir);
    if (usable && fromCurrent) {
      report.kept.push(`${dir}: made from the current image`);
      continue;
    }
    const ram = recordedRamFile(dir);
    await removeQemuSnapshot(dir);
    report.removedTemplates.push(dir);
    if (ram && !fs.existsSync(ram) && !ram.startsWith(`${dir}/`)) report.removedRamFiles.push(ram);
  }

  const images = listDir(imagesDir)
    .filter((n) => /^[0-9a-f]{16}$/.test(n) && fs.existsSync(path.join(imagesDir, n, "manifest.json")))
    .map((n) => ({ dir: path.join(imagesDir, n), builtAt: imageBuiltAt(path.join(imagesDir, n)) }))
    .sort((a, b) => b.builtAt - a.builtAt);
  let kept = 0;
  for (const image of images) {
    if (neededImages.has(image.dir)) {
      report.kept.push(`${image.dir}: ${current && image.dir === path.resolve(current.dir) ? "the current image" : "an in-use template was made from it"}`);
      continue;
    }
    if (kept < opts.keepImages) {
      kept++;
      report.kept.push(`${image.dir}: among the newest ${opts.keepImages}`);
      continue;
    }
    fs.rmSync(image.dir, { recursive: true, force: true });
    report.removedImages.push(image.dir);
  }

  const ramDir = opts.ramDir ?? DEFAULT_RAM_DIR;
  const referenced = new Set(listDir(snapshotsDir).map((n) => recordedRamFile(path.join(snapshotsDir, n))).filter((f): f is string => Boolean(f)));
  const strays = listDir(ramDir).filter((n) => TEMPLATE_RAM_FILE.test(n)).map((n) => path.join(ramDir, n)).filter((f) => !referenced.has(f));
  const mapped = strays.length ? mappedFiles() : new Set<string>();
  for (const file of strays) {
    // Another state dir's template (a test's, another cache_dir) may be mapped by its clones right now.
    if (mapped.has(file)) {
      report.kept.push(`${file}: mapped by a running process`);
      continue;
    }
    fs.rmSync(file, { force: true });
    report.removedRamFiles.push(file);
  }
  return report;
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** A template dir whose maker (recorded in it while making) still runs. */
function beingMade(dir: string): boolean {
  if (!fs.existsSync(path.join(dir, OWNER_RECORD_FILE))) return false;
  try {
    const record = readOwnerRecord(dir);
    return isAlive(record.ownerPid, record.ownerStart);
  } catch {
    return true; // a record being written: leave it for the next run
  }
}

/** The raw record of a template (either backend, any format version), or undefined. */
function rawRecord(dir: string): Record<string, unknown> | undefined {
  for (const file of [SNAPSHOT_META, FIRECRACKER_META]) {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>;
    } catch {
      // next
    }
  }
  return undefined;
}

function recordedRamFile(dir: string): string | undefined {
  const ram = rawRecord(dir)?.ramFile;
  return typeof ram === "string" ? ram : undefined;
}

/** The image dir a template was made from: where its kernel lives. */
function templateImageDir(dir: string, imagesDir: string): string | undefined {
  const record = rawRecord(dir);
  const spec = record?.spec as { kernelPath?: unknown } | undefined;
  const kernel = typeof spec?.kernelPath === "string" ? spec.kernelPath : undefined;
  if (!kernel) return undefined;
  const imageDir = path.dirname(path.resolve(kernel));
  return path.dirname(imageDir) === path.resolve(imagesDir) ? imageDir : undefined;
}

function imageBuiltAt(dir: string): number {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as { builtAt?: string };
    const t = manifest.builtAt ? Date.parse(manifest.builtAt) : Number.NaN;
    if (Number.isFinite(t)) return t;
  } catch {
    // fall back to the directory's time
  }
  return fs.statSync(dir).mtimeMs;
}

/** Files mapped by any process this user can see (/proc/<pid>/maps). */
function mappedFiles(): Set<string> {
  const out = new Set<string>();
  for (const pid of listDir("/proc").filter((n) => /^\d+$/.test(n))) {
    let maps: string;
    try {
      maps = fs.readFileSync(`/proc/${pid}/maps`, "utf8");
    } catch {
      continue;
    }
    for (const line of maps.split("\n")) {
      const at = line.indexOf("/");
      if (at > 0) out.add(line.slice(at).replace(/ \(deleted\)$/, ""));
    }
  }
  return out;
}
