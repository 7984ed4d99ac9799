import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { diffListings, type ListingChange } from "../changes/diff.js";
import { componentMatcher, isExcludedPath } from "../changes/host-state.js";
import { symlinkTargetProblem, unsafeNameProblem } from "../changes/path-safety.js";
import type { AgentClient } from "./agent/client.js";
import type { WalkEntry } from "./agent/walk-listing.js";

/** What the guest changed in its work directory, with new file contents fetched into `blobDir/<sha256>`. */
export interface CapturedChanges {
  changes: (ListingChange & { sha256?: string })[];
  /** Guest paths not brought back, and why. */
  skipped: { path: string; reason: string }[];
  /** Bytes fetched. */
  bytes: number;
}

export interface CaptureOptions {
  /** Where new file contents go (created if missing). */
  blobDir: string;
  /** The cap on all fetched contents together: a guest cannot fill the host's disk. */
  maxBytes: number;
  /** `[vm] copy_exclude`: changes under these names were never copied in and are not brought back. */
  exclude: readonly string[];
  /** Always listed even when excluded: protected paths a command wrote must be seen (and are never applied silently). */
  isProtected: (relPath: string) => boolean;
}

/**
 * Lists the guest's work directory again, compares it with the listing taken right after the copy-in and fetches the
 * content of every new or changed file. The guest is not trusted: unsafe names, special files, symlinks leading out of
 * the workspace and anything past the size cap are skipped with the reason; the cap is enforced as bytes arrive.
 */
export async function captureWorkspaceChanges(agent: AgentClient, guestDir: string, baseline: readonly WalkEntry[], options: CaptureOptions): Promise<CapturedChanges> {
  const after = await agent.walk(guestDir);
  const isExcluded = componentMatcher(options.exclude);
  const out: CapturedChanges = { changes: [], skipped: [], bytes: 0 };
  const excludedRoots = new Set<string>();
  for (const change of diffListings(baseline, after)) {
    const problem = unsafeNameProblem(change.path);
    if (problem) {
      out.skipped.push({ path: change.path, reason: problem });
      continue;
    }
    if (isExcludedPath(change.path, isExcluded) && !options.isProtected(change.path)) {
      // One line per excluded top-level name (node_modules/ may hold thousands).
      const top = change.path.split("/").find(isExcluded) ?? change.path;
      const prefix = change.path.slice(0, change.path.indexOf(top) + top.length);
      if (!excludedRoots.has(prefix)) {
        excludedRoots.add(prefix);
        out.skipped.push({ path: prefix, reason: "excluded from the copy ([vm] copy_exclude); changes under it are not brought back" });
      }
      continue;
    }
    if (change.type === "other") {
      out.skipped.push({ path: change.path, reason: "not a regular file, directory or symlink" });
      continue;
    }
    if (change.type === "symlink" && change.kind !== "deleted") {
      const linkProblem = symlinkTargetProblem(change.path, change.target ?? "");
      if (linkProblem) {
        out.skipped.push({ path: change.path, reason: `a symlink: ${linkProblem}` });
        continue;
      }
    }
    if (!change.needsContent) {
      out.changes.push(change);
      continue;
    }
    const fetched = await fetchBlob(agent, path.posix.join(guestDir, change.path), options.blobDir, { used: out.bytes, cap: options.maxBytes });
    if (!fetched.ok) {
      out.skipped.push({ path: change.path, reason: fetched.reason });
      continue;
    }
    out.bytes += fetched.bytes;
    out.changes.push({ ...change, size: fetched.bytes, sha256: fetched.sha256 });
  }
  return out;
}

/** Streams one guest file into `blobDir/<sha256>`, hashing as it arrives; past the cap it is discarded. */
async function fetchBlob(agent: AgentClient, guestPath: string, blobDir: string, budget: { used: number; cap: number }): Promise<{ ok: true; bytes: number; sha256: string } | { ok: false; reason: string }> {
  fs.mkdirSync(blobDir, { recursive: true, mode: 0o700 });
  const part = path.join(blobDir, `.part-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const hash = createHash("sha256");
  let written = 0;
  let failure: string | undefined;
  const fd = fs.openSync(part, "wx", 0o600);
  try {
    await agent.streamFile(guestPath, (chunk) => {
      if (failure) return;
      if (budget.used + written + chunk.length > budget.cap) {
        failure = `changes exceed ${budget.cap} bytes (${(budget.cap / 1048576).toFixed(0)} MiB, [vm] changes_max_mb) in all; not brought back`;
        return;
      }
      fs.writeSync(fd, chunk);
      hash.update(chunk);
      written += chunk.length;
    });
  } catch (error) {
    failure ??= `cannot copy out of the VM: ${(error as Error).message}`;
  } finally {
    fs.closeSync(fd);
  }
  if (failure) {
    fs.rmSync(part, { force: true });
    return { ok: false, reason: failure };
  }
  const sha256 = hash.digest("hex");
  fs.renameSync(part, path.join(blobDir, sha256));
  return { ok: true, bytes: written, sha256 };
}
