/**
 * Reads a process tree's CPU time and resident memory from Linux /proc.
 *
 * Children are found through `/proc/<pid>/task/<tid>/children` (CONFIG_PROC_CHILDREN);
 * where that file does not exist, by scanning every `/proc/<pid>/stat` for its parent.
 * CPU time counts utime+stime of live processes plus cutime+cstime (children they
 * already reaped), so work done by short-lived children is not lost.
 *
 * @example
 * const s = await sampleProcessTree(child.pid); // { pids: [123, 124], rssBytes: 52_428_800, cpuMs: 340 }
 */
import { readdir, readFile } from "node:fs/promises";

/** Linux USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every mainstream arch). */
export const CLOCK_TICKS_PER_S = 100;

export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  /** utime + stime + cutime + cstime, in ms. */
  cpuMs: number;
}

export interface TreeSample {
  pids: number[];
  rssBytes: number;
  cpuMs: number;
}

/** Parses /proc/<pid>/stat; the command name may contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < 0) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // Fields after the name, numbered from 3 (state) as in proc(5).
  const f = text.slice(close + 2).split(" ");
  const num = (field: number) => Number(f[field - 3] ?? Number.NaN);
  const ticks = num(14) + num(15) + num(16) + num(17);
  if (!Number.isFinite(pid) || !Number.isFinite(ticks)) return undefined;
  return { pid, state: f[0] ?? "?", ppid: num(4), pgrp: num(5), cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_S };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  const text = await readText(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseProcStat(text);
}

/** Resident set size in bytes (VmRSS; 0 for zombies and kernel threads). */
export async function readRssBytes(pid: number): Promise<number> {
  const text = await readText(`/proc/${pid}/status`);
  const m = text ? /^VmRSS:\s+(\d+)\s+kB/m.exec(text) : null;
  return m ? Number(m[1]) * 1024 : 0;
}

async function childrenViaTasks(pid: number): Promise<number[] | undefined> {
  let tasks: string[];
  try {
    tasks = await readdir(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tasks) {
    const text = await readText(`/proc/${pid}/task/${tid}/children`);
    if (text === undefined) {
      if (tid !== tasks[0]) return out;
      // A process that exited between the two reads (the usual end of a short command) has no children left: its
      // orphans went to init or a subreaper. Only a live process without the files makes the caller scan all of /proc.
      const stat = await readProcStat(pid);
      return stat === undefined || stat.state === "Z" ? [] : undefined;
    }
    for (const word of text.split(" ")) if (word.trim()) out.push(Number(word));
  }
  return out;
}

async function allParents(): Promise<Map<number, number[]>> {
  const byParent = new Map<number, number[]>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const st = await readProcStat(Number(name));
    if (!st) continue;
    const list = byParent.get(st.ppid) ?? [];
    list.push(st.pid);
    byParent.set(st.ppid, list);
  }
  return byParent;
}

/** The pids of `root` and all its descendants that are alive now (root first). */
export async function processTree(root: number): Promise<number[]> {
  const seen = new Set<number>();
  const queue = [root];
  let byParent: Map<number, number[]> | undefined;
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    let kids = byParent ? byParent.get(pid) : await childrenViaTasks(pid);
    if (kids === undefined) {
      byParent = await allParents();
      kids = byParent.get(pid) ?? [];
    }
    queue.push(...kids);
  }
  return [...seen];
}

/** One sample of the whole tree; a root that already exited gives an empty sample. */
export async function sampleProcessTree(root: number): Promise<TreeSample> {
  const pids = await processTree(root);
  let rssBytes = 0;
  let cpuMs = 0;
  const alive: number[] = [];
  for (const pid of pids) {
    const st = await readProcStat(pid);
    if (!st) continue;
    alive.push(pid);
    cpuMs += st.cpuMs;
    rssBytes += await readRssBytes(pid);
  }
  return { pids: alive, rssBytes, cpuMs };
}
