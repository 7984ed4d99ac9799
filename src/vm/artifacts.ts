import fs from "node:fs";
import path from "node:path";
import type { AgentClient } from "./agent/client.js";
import { artifactNameProblem, hostTargetProblem } from "./artifact-safety.js";

export const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;

export interface ArtifactReport {
  /** Relative paths written into the host directory. */
  copied: string[];
  /** Matches that were not copied, and why (existing host file, protected path, too large, unsafe name). */
  skipped: { path: string; reason: string }[];
}

/**
 * A matcher for a definition's `artifacts` patterns, relative paths with `*` (within one path
 * component), `**` (any depth) and `?`.
 *
 * @example
 * artifactMatcher(["backup-*.tar.gz"])("backup-20261126.tar.gz") // true
 */
export function artifactMatcher(patterns: readonly string[]): (relPath: string) => boolean {
  const regexes = patterns.map((p) => {
    let re = "";
    for (let i = 0; i < p.length; i++) {
      const c = p[i]!;
      if (c === "*" && p[i + 1] === "*") {
        re += ".*";
        i++;
        if (p[i + 1] === "/") i++;
      } else if (c === "*") re += "[^/]*";
      else if (c === "?") re += "[^/]";
      else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
    return new RegExp(`^${re}$`, "su"); // s: a name with a newline is matched, then refused by name
  });
  return (relPath) => regexes.some((r) => r.test(relPath));
}

export interface CollectOptions {
  /** `[vm] artifact_protect`: more workspace paths a guest may never write. */
  protect?: readonly string[];
  /** The cap on all artifacts together (tests lower it). */
  maxBytes?: number;
}

/**
 * Copies files matching `patterns` out of the guest's work directory into `hostDir`. The guest is not trusted: only
 * regular files, only plain names that stay inside hostDir and outside protected paths, never over (or through) an
 * existing host file or symlink, streamed to disk with the size cap enforced as bytes arrive. A file that cannot be
 * copied is refused with its reason in `skipped` (recorded in the audit log); the others are still copied.
 */
export async function collectArtifacts(agent: AgentClient, guestDir: string, patterns: readonly string[], hostDir: string, options: CollectOptions = {}): Promise<ArtifactReport> {
  const report: ArtifactReport = { copied: [], skipped: [] };
  if (patterns.length === 0) return report;
  const maxBytes = options.maxBytes ?? MAX_ARTIFACT_BYTES;
  // NUL-separated: a guest file name may contain a newline.
  const listing = await agent.exec({ argv: ["find", ".", "-type", "f", "-print0"], cwd: guestDir, timeoutMs: 10_000 }, { collect: true });
  const matches = artifactMatcher(patterns);
  const isProtected = artifactMatcher(options.protect ?? []);
  const names = (listing.stdout?.toString("utf8") ?? "")
    .split("\0")
    .map((l) => l.replace(/^\.\//, ""))
    .filter((l) => l && matches(l))
    .sort();
  const root = path.resolve(hostDir);
  let total = 0;
  for (const name of names) {
    const refusal = artifactNameProblem(name, isProtected) ?? hostTargetProblem(root, path.resolve(root, name));
    if (refusal) {
      report.skipped.push({ path: name, reason: refusal });
      continue;
    }
    const copied = await streamArtifact(agent, path.posix.join(guestDir, name), path.resolve(root, name), { used: total, cap: maxBytes });
    if (copied.ok) {
      total += copied.bytes;
      report.copied.push(name);
    } else report.skipped.push({ path: name, reason: copied.reason });
  }
  return report;
}

/**
 * Streams one guest file into a new host file; once all artifacts together pass `cap` bytes the rest is discarded
 * and the file removed.
 * The file is created with O_EXCL (`wx`), so nothing existing is ever written through.
 */
async function streamArtifact(agent: AgentClient, guestPath: string, target: string, budget: { used: number; cap: number }): Promise<{ ok: true; bytes: number } | { ok: false; reason: string }> {
  let fd: number | undefined;
  let written = 0;
  let failure: string | undefined;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fd = fs.openSync(target, "wx", 0o644);
    const out = fd;
    await agent.streamFile(guestPath, (chunk) => {
      if (failure) return;
      if (budget.used + written + chunk.length > budget.cap) {
        failure = `artifacts exceed ${budget.cap} bytes (${(budget.cap / 1048576).toFixed(0)} MiB) in all; not copied`;
        return;
      }
      try {
        fs.writeSync(out, chunk);
        written += chunk.length;
      } catch (error) {
        failure = `cannot write on the host: ${(error as Error).message}`;
      }
    });
  } catch (error) {
    failure ??= `cannot copy: ${(error as Error).message}`;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (failure) {
    if (fd !== undefined) fs.rmSync(target, { force: true });
    return { ok: false, reason: failure };
  }
  return { ok: true, bytes: written };
}
