/** One entry of the agent's `walk` listing: lstat data of a path under the walked directory. */
export interface WalkEntry {
  /** Relative to the walked directory, `/`-separated. */
  path: string;
  type: "file" | "dir" | "symlink" | "other";
  /** Permission bits (07777). */
  mode: number;
  size: number;
  /** Nanoseconds since the epoch, as decimal strings would lose precision in a double. */
  mtimeNs: bigint;
  ctimeNs: bigint;
  /** A symlink's target, as stored. */
  target?: string;
}

const TYPES: Record<string, WalkEntry["type"]> = { f: "file", d: "dir", l: "symlink", o: "other" };

function nanos(field: string): bigint {
  const m = /^(-?\d+)\.(\d{9})$/.exec(field);
  if (!m) throw new Error(`bad time '${field}'`);
  return BigInt(m[1]!) * 1_000_000_000n + BigInt(m[2]!);
}

/**
 * Parses the agent's listing: per entry three NUL-terminated fields, `"<t> <mode> <size> <mtime> <ctime>"`, the
 * path and the symlink target (empty for others). A malformed listing throws: it comes from an untrusted guest.
 *
 * @example
 * parseWalkListing(Buffer.from("f 644 3 1.000000000 2.000000000\0a.txt\0\0"))[0].path // "a.txt"
 */
export function parseWalkListing(listing: Buffer): WalkEntry[] {
  const fields = listing.toString("utf8").split("\0");
  if (fields.at(-1) === "") fields.pop();
  if (fields.length % 3 !== 0) throw new Error(`walk listing has ${fields.length} fields, not a multiple of 3`);
  const out: WalkEntry[] = [];
  for (let i = 0; i < fields.length; i += 3) {
    const head = fields[i]!.split(" ");
    const type = TYPES[head[0] ?? ""];
    if (!type || head.length !== 5) throw new Error(`walk listing entry ${i / 3} is malformed: '${fields[i]}'`);
    const entry: WalkEntry = {
      path: fields[i + 1]!,
      type,
      mode: Number.parseInt(head[1]!, 8),
      size: Number(head[2]),
      mtimeNs: nanos(head[3]!),
      ctimeNs: nanos(head[4]!),
    };
    if (type === "symlink") entry.target = fields[i + 2]!;
    if (!entry.path || !Number.isFinite(entry.size) || Number.isNaN(entry.mode)) throw new Error(`walk listing entry ${i / 3} is malformed`);
    out.push(entry);
  }
  return out;
}
