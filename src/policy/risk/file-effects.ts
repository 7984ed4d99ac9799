/**
 * Which paths a segment writes and deletes, derived from argv and redirects per command.
 */
import { FIND_FILTERS } from "../shell/command-judge.js";
import type { PathInfo } from "./paths.js";
import type { SegmentView } from "./segment-view.js";

/** Commands whose operands are deleted. */
export const DELETERS: ReadonlySet<string> = new Set(["rm", "unlink", "rmdir", "shred", "srm", "wipe"]);

/**
 * Paths a segment deletes: rm/unlink/rmdir/shred operands, mv sources, find -delete roots.
 * @example deletedPaths(view("rm -rf ~/p")).map((p) => p.raw) // ["~/p"]
 */
export function deletedPaths(view: SegmentView): PathInfo[] {
  return view.memo("deleted", () => computeDeletedPaths(view));
}

function computeDeletedPaths(view: SegmentView): PathInfo[] {
  if (DELETERS.has(view.name)) return view.operandPaths;
  if (view.name === "mv") return destinationSplit(view).sources;
  if (view.name === "find" && view.args.includes("-delete")) {
    // with tests (-name…) find deletes some files below its roots; without, everything below them
    const child = view.args.some((a) => FIND_FILTERS.test(a)) ? "{}" : "*";
    return findRoots(view).map((r) => view.path(`${r.replace(/\/$/, "")}/${child}`));
  }
  if (view.name === "rsync" && view.args.some((a) => a.startsWith("--delete") || a === "--remove-source-files")) return rsyncLocalPaths(view);
  return [];
}

/**
 * Paths a segment writes: redirect targets and the outputs of writing commands.
 * @example writtenPaths(view("echo x > ~/.bashrc"))[0].startupFile // true
 */
export function writtenPaths(view: SegmentView): PathInfo[] {
  return view.memo("written", () => computeWrittenPaths(view));
}

function computeWrittenPaths(view: SegmentView): PathInfo[] {
  const out = [...view.redirectWrites];
  const value = (...options: string[]): void => {
    const v = view.optionValue(...options);
    if (v !== undefined && v !== "-") out.push(view.path(v));
  };
  switch (view.name) {
    case "tee":
    case "touch":
    case "mkdir":
    case "truncate":
      out.push(...view.operandPaths);
      break;
    case "cp":
    case "mv":
    case "ln":
    case "install":
    case "rsync":
    case "scp": {
      const destination = destinationSplit(view).destination;
      if (destination && !isRemoteSpec(destination.raw)) out.push(destination);
      break;
    }
    case "sed":
      if (view.has("-i", "--in-place")) {
        const scriptGiven = view.has("-e", "-f", "--expression", "--file");
        out.push(...(scriptGiven ? view.operandPaths : view.operandPaths.slice(1)));
      }
      break;
    case "sort":
      value("-o", "--output");
      break;
    case "uniq": {
      const second = view.operandPaths[1];
      if (second) out.push(second);
      break;
    }
    case "dd": {
      const of = view.args.find((a) => a.startsWith("of="));
      if (of) out.push(view.path(of.slice(3)));
      break;
    }
    case "curl":
      value("-o", "--output");
      break;
    case "wget":
      value("-O", "--output-document");
      break;
    case "find":
      for (const action of ["-fprint", "-fprint0", "-fprintf", "-fls"]) {
        const i = view.args.indexOf(action);
        const target = view.args[i + 1];
        if (i >= 0 && target !== undefined) out.push(view.path(target));
      }
      break;
  }
  return out;
}

/** Where find starts (operands before the first expression word). */
export function findRoots(view: SegmentView): string[] {
  const roots: string[] = [];
  for (const arg of view.args) {
    if (/^-[HLP]$/.test(arg)) continue;
    if (arg.startsWith("-") || arg === "(" || arg === "!") break;
    roots.push(arg);
  }
  return roots.length > 0 ? roots : ["."];
}

/** `host:path`, `user@host:path`, `rsync://…`: a path on another machine. */
export function isRemoteSpec(raw: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw) || /^[^/]*[^/\\]:/.test(raw);
}

/** cp/mv/ln/install: `-t DIR` or the last operand is the destination; the rest are sources. */
function destinationSplit(view: SegmentView): { sources: PathInfo[]; destination?: PathInfo } {
  const paths = view.operandPaths;
  const target = view.optionValue("-t", "--target-directory");
  if (target !== undefined) return { sources: paths, destination: view.path(target) };
  if (paths.length < 2) return { sources: paths };
  return { sources: paths.slice(0, -1), destination: paths[paths.length - 1] };
}

function rsyncLocalPaths(view: SegmentView): PathInfo[] {
  return view.operandPaths.filter((p) => !isRemoteSpec(p.raw));
}
