/**
 * End-to-end CLI latency: `firebreak run hello-world` (host) and, where a VM backend works,
 * `firebreak run deploy staging --dry-run` (microVM restored from a snapshot), as a user types them.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");
const BIN = path.join(root, "bin", "firebreak.js");
const RUNS = 7;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1] ?? 0;
}

function time(args: string[], cwd: string): { ms: number; status: number | null } {
  const t0 = performance.now();
  // In-process on purpose: a daemon answering on the default socket would change what is measured.
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, stdio: "ignore", env: { ...process.env, FIREBREAK_DAEMON: "off" } });
  return { ms: performance.now() - t0, status: r.status };
}

export async function runCliBench(): Promise<void> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "fb-clibench-"));
  fs.writeFileSync(path.join(cwd, "index.html"), "<h1>app</h1>\n");
  const measure = (label: string, args: string[]) => {
    time(args, cwd); // warm the file cache and any template snapshot
    const runs = Array.from({ length: RUNS }, () => time(args, cwd));
    const failed = runs.find((r) => r.status !== 0);
    if (failed) return console.log(`cli: ${label}: exit ${failed.status} (not measured)`);
    console.log(`cli: ${label}: median ${Math.round(median(runs.map((r) => r.ms)))} ms over ${RUNS} runs (min ${Math.round(Math.min(...runs.map((r) => r.ms)))})`);
  };
  measure("firebreak --version", ["--version"]);
  measure("firebreak run hello-world (host)", ["run", "hello-world"]);
  measure("firebreak run deploy staging --dry-run (microVM)", ["run", "deploy", "staging", "--dry-run"]);
  fs.rmSync(cwd, { recursive: true, force: true });
}
