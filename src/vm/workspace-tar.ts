import fs from "node:fs";
import path from "node:path";
import { VmError } from "../errors.js";

const BLOCK_BYTES = 512;
/** Files up to this size are read synchronously (a few µs each); larger ones without blocking the event loop. */
const SYNC_READ_MAX_BYTES = 1 << 20;
const NAME_FIELD_BYTES = 100;
const OCTAL_7_MAX = 0o7777777;
const OCTAL_11_MAX = 0o77777777777;

/**
 * Packs a directory as an uncompressed GNU-format tar (what `tar --format=gnu -cf - .` makes; the guest agent
 * unpacks it itself), skipping what `exclude` matches the way GNU tar's `--exclude` does, and refuses workspaces
 * larger than `maxBytes` instead of copying part of them. Packed in-process: a `tar` child process cost 6-20 ms per
 * run here (process creation is expensive in this sandbox), more than packing 100 small files.
 *
 * Entries: the directory itself (`./`), directories, regular files, symlinks (kept as symlinks), hard links (a second
 * name of a file already packed), FIFOs and device nodes; sockets are skipped, as GNU tar skips them. A file that
 * cannot be read fails the packing with its name.
 *
 * @example const tar = await packWorkspace(process.cwd(), [".git", "node_modules"], 256 << 20);
 */
export async function packWorkspace(dir: string, exclude: readonly string[], maxBytes: number): Promise<Buffer> {
  const isExcluded = tarExcludeMatcher(exclude);
  const out: Buffer[] = [];
  let size = 0;
  const push = (b: Buffer) => {
    size += b.length;
    if (size > maxBytes) {
      throw new VmError(`the working directory ${dir} is larger than [vm] copy_max_mb (${Math.round(maxBytes / 1048576)} MiB) once ${exclude.join(", ")} are excluded; raise the limit or run from a smaller directory`);
    }
    out.push(b);
  };
  const links = new Map<string, string>();
  const visit = async (abs: string, name: string): Promise<void> => {
    let st: fs.Stats;
    try {
      // The directory itself is followed if it is a symlink (GNU tar -C DIR . changes into it); nothing below it is.
      st = name === "." ? fs.statSync(abs) : fs.lstatSync(abs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return; // removed while packing
      throw packError(dir, name, error);
    }
    if (st.isSocket()) return;
    const meta = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.max(0, Math.floor(st.mtimeMs / 1000)) };
    if (st.isDirectory()) {
      entry(push, { ...meta, name: `${name}/`, type: "5" });
      let names: string[];
      try {
        names = fs.readdirSync(abs).sort(); // deterministic archives (GNU tar --sort=name)
      } catch (error) {
        throw packError(dir, name, error);
      }
      for (const child of names) {
        const rel = name === "." ? child : `${name.slice(2)}/${child}`;
        if (!isExcluded(rel)) await visit(path.join(abs, child), `./${rel}`);
      }
      return;
    }
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 && !st.isSymbolicLink() ? links.get(key) : undefined;
    if (first !== undefined) return entry(push, { ...meta, name, type: "1", linkname: first });
    if (st.nlink > 1) links.set(key, name);
    if (st.isSymbolicLink()) return entry(push, { ...meta, name, type: "2", linkname: fs.readlinkSync(abs) });
    if (st.isFIFO()) return entry(push, { ...meta, name, type: "6" });
    if (st.isCharacterDevice() || st.isBlockDevice()) {
      return entry(push, { ...meta, name, type: st.isCharacterDevice() ? "3" : "4", devMajor: devMajor(st.rdev), devMinor: devMinor(st.rdev) });
    }
    let data: Buffer;
    try {
      data = st.size <= SYNC_READ_MAX_BYTES ? fs.readFileSync(abs) : await fs.promises.readFile(abs);
    } catch (error) {
      throw packError(dir, name, error);
    }
    // A file that changed while being read is packed as read (its header says the size it has here).
    entry(push, { ...meta, name, type: "0", size: data.length });
    push(data);
    if (data.length % BLOCK_BYTES) push(Buffer.alloc(BLOCK_BYTES - (data.length % BLOCK_BYTES)));
  };
  await visit(path.resolve(dir), ".");
  push(Buffer.alloc(2 * BLOCK_BYTES));
  return Buffer.concat(out, size);
}

interface TarEntry {
  name: string;
  type: "0" | "1" | "2" | "3" | "4" | "5" | "6";
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  size?: number;
  linkname?: string;
  devMajor?: number;
  devMinor?: number;
}

/** One member's header blocks: a GNU long-name (`L`) or long-link (`K`) member first when a name does not fit. */
function entry(push: (b: Buffer) => void, e: TarEntry): void {
  const name = Buffer.from(e.name);
  const link = Buffer.from(e.linkname ?? "");
  if (link.length > NAME_FIELD_BYTES) longName(push, "K", link);
  if (name.length > NAME_FIELD_BYTES) longName(push, "L", name);
  push(header({ ...e, name: name.subarray(0, NAME_FIELD_BYTES), linkname: link.subarray(0, NAME_FIELD_BYTES) }));
}

function longName(push: (b: Buffer) => void, type: "L" | "K", value: Buffer): void {
  const data = Buffer.concat([value, Buffer.alloc(1)]);
  push(header({ name: Buffer.from("././@LongLink"), type, mode: 0o644, uid: 0, gid: 0, mtime: 0, size: data.length, linkname: Buffer.alloc(0) }));
  push(data);
  if (data.length % BLOCK_BYTES) push(Buffer.alloc(BLOCK_BYTES - (data.length % BLOCK_BYTES)));
}

function header(e: Omit<TarEntry, "name" | "linkname" | "type"> & { name: Buffer; linkname: Buffer; type: string }): Buffer {
  const h = Buffer.alloc(BLOCK_BYTES);
  e.name.copy(h, 0);
  numeric(h, 100, 8, e.mode, OCTAL_7_MAX);
  numeric(h, 108, 8, e.uid, OCTAL_7_MAX);
  numeric(h, 116, 8, e.gid, OCTAL_7_MAX);
  numeric(h, 124, 12, e.size ?? 0, OCTAL_11_MAX);
  numeric(h, 136, 12, e.mtime, OCTAL_11_MAX);
  h.write(e.type, 156, "latin1");
  e.linkname.copy(h, 157);
  h.write("ustar  \0", 257, "latin1"); // the GNU magic and version
  if (e.devMajor !== undefined) numeric(h, 329, 8, e.devMajor, OCTAL_7_MAX);
  if (e.devMinor !== undefined) numeric(h, 337, 8, e.devMinor, OCTAL_7_MAX);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return h;
}

/** Octal with a NUL, or GNU base-256 (first byte 0x80) when the value does not fit. */
function numeric(h: Buffer, offset: number, len: number, value: number, octalMax: number): void {
  if (value <= octalMax) {
    h.write(`${value.toString(8).padStart(len - 1, "0")}\0`, offset, "latin1");
    return;
  }
  let v = BigInt(value);
  for (let i = len - 1; i > 0; i--) {
    h[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  h[offset] = 0x80;
}

/** glibc's major()/minor() of a dev_t. */
const devMajor = (rdev: number) => Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
const devMinor = (rdev: number) => Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));

/**
 * GNU tar's `--exclude PATTERN` for a member path relative to the packed directory: unanchored (the pattern may match
 * the whole path or any part of it that starts after a `/`), `*` and `?` match `/` too, `[...]` is a class. An excluded
 * directory is not descended into.
 *
 * @example tarExcludeMatcher([".git"])("src/.git") // true
 */
export function tarExcludeMatcher(patterns: readonly string[]): (relPath: string) => boolean {
  const res = patterns.map((p) => new RegExp(`^${globToRegex(p)}$`, "s"));
  return (relPath) => {
    for (let start = 0; start <= relPath.length; ) {
      const tail = relPath.slice(start);
      if (res.some((r) => r.test(tail))) return true;
      const slash = relPath.indexOf("/", start);
      if (slash < 0) return false;
      start = slash + 1;
    }
    return false;
  };
}

function globToRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "\\" && i + 1 < glob.length) out += escapeRegex(glob[++i]!);
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) out += "\\[";
      else {
        const body = glob.slice(i + 1, end);
        out += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else out += escapeRegex(c);
  }
  return out;
}

const escapeRegex = (c: string) => c.replace(/[.+^${}()|[\]\\/]/g, "\\$&");

function packError(dir: string, name: string, error: unknown): VmError {
  return new VmError(`packing ${dir} for the VM failed: ${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
}
