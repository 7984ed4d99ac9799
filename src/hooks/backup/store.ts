/**
 * The backup store: `<stateDir>/backups/<id>/manifest.json` plus `blobs/<n>` (file bytes).
 *
 * A backup is written under a temporary name and renamed into place, so a listed backup
 * is always complete. Restore verifies every blob's sha256 before touching the workspace,
 * writes each file to a temporary name and renames it over the original, then verifies
 * the restored bytes again.
 *
 * @example
 * const b = await createBackup(stateDir, { paths, workspace, cwd, invocationId, command: "clean" });
 * await restoreBackup(stateDir, b!.id); // files are back, byte for byte, with their modes
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  symlink,
  unlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { BackupError } from "../../errors.js";
import { lazy } from "../../lazy.js";
import type { PathTarget } from "./targets.js";

export const MANIFEST_FILE = "manifest.json";
const MIB = 1024 * 1024;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Skipped paths listed one by one in a manifest; the rest are counted in one line. */
const MAX_LISTED_SKIPS = 200;

const entrySchema = lazy(() =>
  z.object({
    path: z.string(),
    type: z.enum(["file", "dir", "symlink"]),
    mode: z.number().int(),
    mtimeMs: z.number(),
    size: z.number().int().nonnegative().optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    blob: z.string().regex(/^\d+$/).optional(),
    linkTarget: z.string().optional(),
    /** The command that would change it ("rm", "redirect", ...). */
    command: z.string(),
  }),
);

const manifestSchema = lazy(() =>
  z.object({
    version: z.literal(1),
    id: z.string(),
    createdAt: z.string(),
    invocationId: z.string(),
    command: z.string(),
    cwd: z.string(),
    workspace: z.string(),
    entries: z.array(entrySchema()),
    skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  }),
);

export type BackupEntry = z.infer<ReturnType<typeof entrySchema>>;
export type BackupManifest = z.infer<ReturnType<typeof manifestSchema>>;

export interface BackupRequest {
  paths: readonly PathTarget[];
  workspace: string;
  cwd: string;
  invocationId: string;
  command: string;
  maxFileBytes?: number;
  maxTotalBytes?: number;
  now?: () => Date;
}

export interface BackupSummary {
  id: string;
  createdAt: string;
  invocationId: string;
  command: string;
  files: number;
  bytes: number;
  skipped: number;
}

export interface RestoreReport {
  id: string;
  restored: string[];
  bytes: number;
}

export function backupsDir(stateDir: string): string {
  return join(stateDir, "backups");
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function newBackupId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/** Copies `src` to `dst` while hashing what was copied (one read: no race between hash and copy). */
async function copyHashing(src: string, dst: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(src), tap, createWriteStream(dst, { flags: "wx", mode: 0o600 }));
  return { sha256: hash.digest("hex"), size };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** The canonical path a target refers to: through symlinks when the write follows them. */
async function canonicalTarget(t: PathTarget): Promise<string | undefined> {
  try {
    if (t.follow) return await realpath(t.path);
    return join(await realpath(dirname(t.path)), basename(t.path));
  } catch {
    return undefined; // does not exist: nothing to lose
  }
}

/** Walks a target (recursively for directories) into manifest entries without blobs yet. */
async function collect(
  t: PathTarget,
  path: string,
  exclude: string,
  found: Map<string, Omit<BackupEntry, "blob" | "sha256">>,
  skipped: BackupManifest["skipped"],
): Promise<void> {
  if (found.has(path) || isInside(path, exclude)) return;
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(path);
  } catch {
    return;
  }
  const base = { path, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, command: t.command };
  if (st.isFile()) found.set(path, { ...base, type: "file", size: st.size });
  else if (st.isSymbolicLink()) found.set(path, { ...base, type: "symlink", linkTarget: await readlink(path) });
  else if (st.isDirectory()) {
    if (!t.recursive) return; // rm without -r does not remove directories
    found.set(path, { ...base, type: "dir" });
    for (const name of (await readdir(path)).sort()) await collect(t, join(path, name), exclude, found, skipped);
  } else skipped.push({ path, reason: "not a regular file, directory or symlink" });
}

/**
 * Backs up the targets that exist inside the workspace. Returns undefined when there is
 * nothing to back up (no backup directory is created then).
 */
export async function createBackup(stateDir: string, req: BackupRequest): Promise<BackupManifest | undefined> {
  const workspace = await realpath(req.workspace);
  const root = backupsDir(stateDir);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const exclude = await realpath(root);
  const found = new Map<string, Omit<BackupEntry, "blob" | "sha256">>();
  const skipped: BackupManifest["skipped"] = [];
  for (const t of req.paths) {
    const path = await canonicalTarget(t);
    if (path === undefined) continue;
    if (!isInside(path, workspace)) {
      skipped.push({ path, reason: "outside the workspace" });
      continue;
    }
    await collect(t, path, exclude, found, skipped);
  }
  if (found.size === 0) return undefined;

  const now = (req.now ?? (() => new Date()))();
  const id = newBackupId(now);
  const tmp = join(root, `.tmp-${id}`);
  await mkdir(join(tmp, "blobs"), { recursive: true, mode: 0o700 });
  try {
    const maxFile = req.maxFileBytes ?? 100 * MIB;
    const maxTotal = req.maxTotalBytes ?? 1024 * MIB;
    let total = 0;
    const entries: BackupEntry[] = [];
    for (const entry of found.values()) {
      if (entry.type !== "file") {
        entries.push(entry);
        continue;
      }
      const size = entry.size ?? 0;
      if (size > maxFile) {
        skipped.push({ path: entry.path, reason: `larger than max_file_mb (${size} bytes)` });
        continue;
      }
      if (total + size > maxTotal) {
        skipped.push({ path: entry.path, reason: "backup reached max_total_mb" });
        continue;
      }
      const blob = String(entries.length);
      const copied = await copyHashing(entry.path, join(tmp, "blobs", blob));
      total += copied.size;
      entries.push({ ...entry, size: copied.size, sha256: copied.sha256, blob });
    }
    if (skipped.length > MAX_LISTED_SKIPS) {
      const more = skipped.length - MAX_LISTED_SKIPS;
      skipped.splice(MAX_LISTED_SKIPS, more, { path: `(${more} more)`, reason: "not listed" });
    }
    const manifest: BackupManifest = {
      version: 1,
      id,
      createdAt: now.toISOString(),
      invocationId: req.invocationId,
      command: req.command,
      cwd: req.cwd,
      workspace,
      entries,
      skipped,
    };
    await writeFile(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, join(root, id));
    return manifest;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw new BackupError(`could not back up files for ${req.command}: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads and validates one backup's manifest. */
export async function readManifest(stateDir: string, id: string): Promise<BackupManifest> {
  if (!ID_PATTERN.test(id)) throw new BackupError(`invalid backup id ${JSON.stringify(id)}`);
  const file = join(backupsDir(stateDir), id, MANIFEST_FILE);
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (err) {
    throw new BackupError(`no backup ${id} in ${backupsDir(stateDir)}`, { cause: err });
  }
  let parsed: ReturnType<ReturnType<typeof manifestSchema>["safeParse"]>;
  try {
    parsed = manifestSchema().safeParse(JSON.parse(raw));
  } catch (err) {
    throw new BackupError(`backup ${id}: manifest is not JSON`, { cause: err });
  }
  if (!parsed.success) throw new BackupError(`backup ${id}: invalid manifest: ${parsed.error.message}`, { cause: parsed.error });
  if (parsed.data.id !== id) throw new BackupError(`backup ${id}: manifest names another backup (${parsed.data.id})`);
  return parsed.data;
}

/** Every readable backup, oldest first. */
export async function listBackups(stateDir: string): Promise<BackupSummary[]> {
  let names: string[];
  try {
    names = await readdir(backupsDir(stateDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new BackupError(`cannot read ${backupsDir(stateDir)}`, { cause: err });
  }
  const out: BackupSummary[] = [];
  for (const name of names) {
    if (name.startsWith(".") || !ID_PATTERN.test(name)) continue;
    let m: BackupManifest;
    try {
      m = await readManifest(stateDir, name);
    } catch {
      continue; // an unreadable backup is not listed; restore names the problem
    }
    const files = m.entries.filter((e) => e.type === "file");
    out.push({
      id: m.id,
      createdAt: m.createdAt,
      invocationId: m.invocationId,
      command: m.command,
      files: files.length,
      bytes: files.reduce((n, e) => n + (e.size ?? 0), 0),
      skipped: m.skipped.length,
    });
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** Deletes the oldest backups beyond `keep` (0 keeps all). Returns the deleted ids. */
export async function pruneBackups(stateDir: string, keep: number): Promise<string[]> {
  if (keep <= 0) return [];
  const all = await listBackups(stateDir);
  const doomed = all.slice(0, Math.max(0, all.length - keep)).map((b) => b.id);
  for (const id of doomed) await rm(join(backupsDir(stateDir), id), { recursive: true, force: true });
  return doomed;
}

/**
 * Puts every backed-up file, symlink and directory back where it was. Verifies all blobs
 * first: a corrupt backup restores nothing.
 */
export async function restoreBackup(stateDir: string, id: string): Promise<RestoreReport> {
  const m = await readManifest(stateDir, id);
  const dir = join(backupsDir(stateDir), id);
  for (const e of m.entries) {
    if (!isAbsolute(e.path) || !isInside(resolve(e.path), m.workspace)) {
      throw new BackupError(`backup ${id}: entry ${e.path} is outside its workspace ${m.workspace}`);
    }
    if (e.type === "file") {
      if (!e.blob || !e.sha256) throw new BackupError(`backup ${id}: file entry ${e.path} has no content`);
      const actual = await sha256File(join(dir, "blobs", e.blob)).catch((err: unknown) => {
        throw new BackupError(`backup ${id}: content of ${e.path} is missing`, { cause: err });
      });
      if (actual !== e.sha256) throw new BackupError(`backup ${id}: content of ${e.path} is corrupt (sha256 mismatch)`);
    }
  }
  const restored: string[] = [];
  let bytes = 0;
  const dirs = m.entries.filter((e) => e.type === "dir").sort((a, b) => a.path.length - b.path.length);
  for (const e of dirs) await mkdir(e.path, { recursive: true });
  for (const e of m.entries) {
    try {
      if (e.type === "file") {
        await mkdir(dirname(e.path), { recursive: true });
        const tmp = join(dirname(e.path), `.${basename(e.path)}.firebreak-restore-${randomBytes(4).toString("hex")}`);
        await copyFile(join(dir, "blobs", e.blob as string), tmp);
        await chmod(tmp, e.mode);
        await utimes(tmp, new Date(), new Date(e.mtimeMs));
        await rename(tmp, e.path);
        if ((await sha256File(e.path)) !== e.sha256) throw new Error("restored bytes do not match the manifest");
        bytes += e.size ?? 0;
        restored.push(e.path);
      } else if (e.type === "symlink") {
        await mkdir(dirname(e.path), { recursive: true });
        await unlink(e.path).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== "ENOENT") throw err;
        });
        await symlink(e.linkTarget ?? "", e.path);
        restored.push(e.path);
      }
    } catch (err) {
      throw new BackupError(`backup ${id}: could not restore ${e.path}: ${(err as Error).message}`, { cause: err });
    }
  }
  // Directory modes last, deepest first: a read-only directory must not stop the files inside it.
  for (const e of [...dirs].reverse()) {
    await chmod(e.path, e.mode);
    await utimes(e.path, new Date(), new Date(e.mtimeMs));
    restored.push(e.path);
  }
  return { id, restored, bytes };
}
