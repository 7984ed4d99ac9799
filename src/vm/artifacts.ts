import fs from "node:fs";
import path from "node:path";
import type { AgentClient } from "./agent/client.js";

export const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;

export interface ArtifactReport {
  /** Relative paths written into the host directory. */
  copied: string[];
  /** Matches that were not copied, and why (existing host file, too large, unsafe name). */
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
    return new RegExp(`^${re}$`, "u");
  });
  return (relPath) => regexes.some((r) => r.test(relPath));
}

/**
 * Copies files matching `patterns` out of the guest's work directory into `hostDir`. The guest is
 * not trusted: only regular files, only names that stay inside hostDir, never over an existing
 * host file, and at most MAX_ARTIFACT_BYTES in all.
 */
export async function collectArtifacts(agent: AgentClient, guestDir: string, patterns: readonly string[], hostDir: string): Promise<ArtifactReport> {
  const report: ArtifactReport = { copied: [], skipped: [] };
  if (patterns.length === 0) return report;
  const listing = await agent.exec({ argv: ["find", ".", "-type", "f"], cwd: guestDir, timeoutMs: 10_000 }, { collect: true });
  const matches = artifactMatcher(patterns);
  const names = (listing.stdout?.toString("utf8") ?? "")
    .split("\n")
    .map((l) => l.replace(/^\.\//, ""))
    .filter((l) => l && matches(l))
    .sort();
  const root = path.resolve(hostDir);
  let total = 0;
  for (const name of names) {
    const target = path.resolve(root, name);
    if (!target.startsWith(root + path.sep) || !staysInside(root, target)) {
      report.skipped.push({ path: name, reason: "would land outside the working directory" });
      continue;
    }
    if (fs.existsSync(target)) {
      report.skipped.push({ path: name, reason: "exists on the host; not overwritten" });
      continue;
    }
    const data = await agent.getFile(path.posix.join(guestDir, name));
    total += data.length;
    if (total > MAX_ARTIFACT_BYTES) {
      report.skipped.push({ path: name, reason: `artifacts exceed ${MAX_ARTIFACT_BYTES / 1048576} MiB` });
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, data, { flag: "wx", mode: 0o644 });
    report.copied.push(name);
  }
  return report;
}

/** The deepest existing ancestor of target, with host symlinks resolved, is still inside root. */
function staysInside(root: string, target: string): boolean {
  const realRoot = fs.realpathSync(root);
  let dir = path.dirname(target);
  while (!fs.existsSync(dir)) dir = path.dirname(dir);
  const real = fs.realpathSync(dir);
  return real === realRoot || real.startsWith(realRoot + path.sep);
}
