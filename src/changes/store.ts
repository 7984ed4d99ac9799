import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ChangesError } from "../errors.js";
import type { ListingChange } from "./diff.js";
import { hostStateOf, sameHostState } from "./host-state.js";
import { pathMatcher, protectionOf } from "./path-safety.js";
import { type ChangeEntry, type Changeset, type ChangesetSummary, type HostState, summarize } from "./types.js";

const RECORD_FILE = "changeset.json";
const ID_RE = /^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$/;

export interface NewChangeset {
  invocationId: string;
  command: string;
  workspace: string;
  /** The captured changes, new contents already in `stagingDir(invocationId)/blobs`. */
  changes: readonly (ListingChange & { sha256?: string })[];
  skipped: readonly { path: string; reason: string }[];
  /** The host's state at copy-in. */
  hostSnapshot: ReadonlyMap<string, HostState>;
  /** `[vm] protected_paths`. */
  protectedPaths: readonly string[];
  /** The definition's `artifacts`. */
  artifacts: readonly string[];
  now?: Date;
}

/**
 * Changesets on disk: `<stateDir>/changes/<id>/changeset.json` plus `blobs/<sha256>` (new file contents), private to the
 * user (0700/0600). A changeset is written whole under a temporary name and renamed into place, so a crash never leaves
 * half of one.
 *
 * @example
 * const store = new ChangesetStore(stateDir);
 * for (const s of await store.list()) console.log(s.id, s.status);
 */
export class ChangesetStore {
  readonly root: string;
  constructor(stateDir: string) {
    this.root = path.join(stateDir, "changes");
  }

  /** Where a VM run of this invocation puts the contents it brings back, before the changeset exists. */
  stagingDir(invocationId: string): string {
    return path.join(this.root, `.tmp-${invocationId.replace(/[^A-Za-z0-9-]/g, "_")}`);
  }

  /** Records what a run changed; undefined (and the staging removed) when it changed nothing. */
  create(input: NewChangeset): Changeset | undefined {
    const staging = this.stagingDir(input.invocationId);
    const blobs = path.join(staging, "blobs");
    const isProtected = pathMatcher(input.protectedPaths);
    const isArtifact = pathMatcher(input.artifacts);
    const entries: ChangeEntry[] = [];
    for (const c of input.changes) {
      if (c.type === "other") continue;
      const base = input.hostSnapshot.get(c.path) ?? null;
      const entry: ChangeEntry = { path: c.path, kind: c.kind, type: c.type, base };
      if (c.kind !== "deleted") {
        entry.mode = c.mode;
        if (c.type === "file") {
          entry.size = c.size;
          entry.sha256 = c.sha256;
        }
        if (c.type === "symlink") entry.target = c.target;
        if (c.modeOnly) entry.modeOnly = true;
      }
      if (c.kind === "modified" && c.type === "file" && base?.type === "file" && unchangedContent(path.join(input.workspace, c.path), base, c.sha256)) {
        if (c.mode === base.mode) continue; // touched, same bytes and mode: not a change
        entry.modeOnly = true;
        delete entry.sha256;
        delete entry.size;
      }
      if (protectionOf(c.path, isProtected)) entry.protected = true;
      if (isArtifact(c.path)) entry.artifact = true;
      entries.push(entry);
    }
    // A new directory holding artifacts is part of them (`releases/**` covers `releases/` itself).
    for (const e of entries) if (!e.artifact && e.type === "dir" && e.kind === "added" && entries.some((x) => x.artifact && x.path.startsWith(`${e.path}/`))) e.artifact = true;
    if (entries.length === 0 && input.skipped.length === 0) {
      fs.rmSync(staging, { recursive: true, force: true });
      return undefined;
    }
    const now = input.now ?? new Date();
    const cs: Changeset = {
      version: 1,
      id: newId(now),
      createdAt: now.toISOString(),
      invocationId: input.invocationId,
      command: input.command,
      workspace: input.workspace,
      status: "pending",
      entries,
      skipped: [...input.skipped],
      applications: [],
    };
    fs.mkdirSync(blobs, { recursive: true, mode: 0o700 });
    const used = new Set(entries.map((e) => e.sha256).filter(Boolean));
    for (const name of fs.readdirSync(blobs)) if (!used.has(name)) fs.rmSync(path.join(blobs, name), { force: true });
    fs.writeFileSync(path.join(staging, RECORD_FILE), `${JSON.stringify(cs, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(staging, path.join(this.root, cs.id));
    return cs;
  }

  /** Every changeset, newest first. */
  list(): ChangesetSummary[] {
    if (!fs.existsSync(this.root)) return [];
    const out: ChangesetSummary[] = [];
    for (const name of fs.readdirSync(this.root)) {
      if (!ID_RE.test(name)) continue;
      try {
        out.push(summarize(this.read(name)));
      } catch {
        // An unreadable record is reported by `show`, not by the list.
      }
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id.localeCompare(a.id)));
  }

  /** A changeset by id or unique id prefix. */
  load(idOrPrefix: string): Changeset {
    return this.read(this.resolve(idOrPrefix));
  }

  /** The stored new content of a file entry. */
  blobPath(cs: Changeset, sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ChangesError(`changeset ${cs.id}: a bad content name '${sha256}'`);
    return path.join(this.root, cs.id, "blobs", sha256);
  }

  /** Rewrites a changeset's record (status, applications) atomically. */
  save(cs: Changeset): void {
    const file = path.join(this.root, cs.id, RECORD_FILE);
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, `${JSON.stringify(cs, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  /** Marks a changeset discarded and drops its contents; the record stays for the history. */
  discard(cs: Changeset): Changeset {
    if (cs.status === "applied") throw new ChangesError(`changeset ${cs.id} is already applied; undo it with 'firebreak backup restore' (see 'firebreak changes show ${cs.id}')`);
    cs.status = "discarded";
    this.save(cs);
    fs.rmSync(path.join(this.root, cs.id, "blobs"), { recursive: true, force: true });
    return cs;
  }

  /** Removes the oldest applied or discarded changesets beyond `keep`; pending (and partial) ones stay. */
  prune(keep: number): string[] {
    const done = this.list().filter((s) => s.status === "applied" || s.status === "discarded");
    const removed = done.slice(keep).map((s) => s.id);
    for (const id of removed) fs.rmSync(path.join(this.root, id), { recursive: true, force: true });
    return removed;
  }

  private resolve(idOrPrefix: string): string {
    if (!/^[0-9a-f-]+$/.test(idOrPrefix)) throw new ChangesError(`'${idOrPrefix}' is not a changeset id (see 'firebreak changes list')`);
    const names = fs.existsSync(this.root) ? fs.readdirSync(this.root).filter((n) => ID_RE.test(n)) : [];
    if (names.includes(idOrPrefix)) return idOrPrefix;
    const matches = names.filter((n) => n.startsWith(idOrPrefix) || n.endsWith(idOrPrefix));
    if (matches.length === 1) return matches[0]!;
    if (matches.length === 0) throw new ChangesError(`no changeset '${idOrPrefix}' (see 'firebreak changes list')`);
    throw new ChangesError(`'${idOrPrefix}' matches ${matches.length} changesets: ${matches.slice(0, 5).join(", ")}`);
  }

  private read(id: string): Changeset {
    const file = path.join(this.root, id, RECORD_FILE);
    let cs: Changeset;
    try {
      cs = JSON.parse(fs.readFileSync(file, "utf8")) as Changeset;
    } catch (error) {
      throw new ChangesError(`changeset ${id}: cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    if (cs.version !== 1 || cs.id !== id || !Array.isArray(cs.entries)) throw new ChangesError(`changeset ${id}: ${file} is not a changeset record`);
    return cs;
  }
}

function newId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/** The host file is as it was at copy-in and already holds these bytes. */
function unchangedContent(abs: string, base: HostState, sha256: string | undefined): boolean {
  if (!sha256 || !sameHostState(hostStateOf(abs), base)) return false;
  if (base.size > 64 * 1024 * 1024) return false; // not worth reading to find out
  try {
    return createHash("sha256").update(fs.readFileSync(abs)).digest("hex") === sha256;
  } catch {
    return false;
  }
}
