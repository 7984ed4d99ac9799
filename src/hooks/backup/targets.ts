/**
 * Which files a shell line may modify or delete, read from its parsed segments.
 *
 * Covered: rm, unlink, mv (sources and overwritten destinations), cp/install over
 * existing files, truncate, shred, sed -i, tee (without -a), dd of=, find -delete, git clean/checkout/restore/
 * reset --hard, rsync --delete (tool-targets.ts), and the redirections
 * `>`, `>|`, `&>`, `>&` onto files. Dynamic words (variables, substitutions) and
 * arguments read from stdin (`xargs rm`) cannot be known before the shell runs and are
 * reported as unresolved; unquoted globs are expanded here; `find … -exec rm {}` backs up
 * the find roots. The parser's per-word facts are used when present.
 *
 * @example
 * wordTargets([{ argv: ["rm", "-r", "build"], redirects: [] }])
 * // [{ word: "build", command: "rm", follow: false, recursive: true }]
 */
import { stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { ShellSegment } from "../../policy/shell/types.js";
import { expandGlob, hasGlob } from "./glob.js";
import { type ParsedArgs, parseArgs } from "./parse-args.js";
import { toolTargets } from "./tool-targets.js";

/** A word naming a file the command may change. */
export interface WordTarget {
  word: string;
  /** The command (or "redirect") that will change it. */
  command: string;
  /** true when the write goes through a symlink to its target (cp onto, `>`, truncate). */
  follow: boolean;
  /** true when a directory is affected as a whole (rm -r, mv). */
  recursive: boolean;
  /** For cp/mv into an existing directory: the file lands at `<dir>/<basename(source)>`. */
  intoDirFrom?: string[];
  /** From the parser: the word's value is only known at run time. */
  dynamic?: boolean;
  /** From the parser: the word has an unquoted glob character. */
  glob?: boolean;
}

function destinationTargets(command: string, p: ParsedArgs, follow: boolean): { sources: string[]; targets: WordTarget[] } {
  const targetDir = p.values.get("t") ?? p.values.get("target-directory");
  const sources = targetDir === undefined ? p.operands.slice(0, -1) : p.operands;
  const dest = targetDir ?? p.operands[p.operands.length - 1];
  if (dest === undefined || sources.length === 0) return { sources: [], targets: [] };
  const noTargetDir = p.flags.has("T") || p.flags.has("no-target-directory");
  const target: WordTarget = { word: dest, command, follow, recursive: true };
  if (!noTargetDir) target.intoDirFrom = sources;
  return { sources, targets: [target] };
}

/** The file words each segment may change (before glob and path resolution). */
export function wordTargets(
  segments: readonly (Pick<ShellSegment, "argv" | "redirects"> & Partial<Pick<ShellSegment, "words" | "placeholderRoots" | "argsFromStdin">>)[],
): WordTarget[] {
  const out: WordTarget[] = [];
  for (const seg of segments) {
    const start = out.length;
    // Facts by word text (first occurrence): parseArgs works on strings, not positions.
    const facts = new Map<string, { dynamic: boolean; glob: boolean }>();
    seg.argv.forEach((w, i) => {
      const f = seg.words?.[i];
      if (i > 0 && f && !facts.has(w)) facts.set(w, f);
    });
    const add = (command: string, words: string[], follow: boolean, recursive = false) => {
      for (const word of words) {
        if (word === "-" || word === "") continue;
        if (word === "{}" && seg.placeholderRoots?.length) {
          for (const root of seg.placeholderRoots) out.push({ word: root, command, follow: false, recursive: true });
          continue;
        }
        const f = facts.get(word);
        out.push(f ? { word, command, follow, recursive, dynamic: f.dynamic, glob: f.glob } : { word, command, follow, recursive });
      }
    };
    for (const r of seg.redirects ?? []) {
      const overwrites = r.op === ">" || r.op === ">|" || r.op === "&>" || (r.op === ">&" && !/^\d+$|^-$/.test(r.target ?? ""));
      if (overwrites && r.target) add("redirect", [r.target], true);
    }
    const [argv0, ...args] = seg.argv;
    if (argv0 === undefined) continue;
    const name = basename(argv0);
    switch (name) {
      case "rm": {
        const p = parseArgs(args, "");
        add(name, p.operands, false, p.flags.has("r") || p.flags.has("R") || p.flags.has("recursive"));
        break;
      }
      case "unlink":
        add(name, parseArgs(args, "").operands.slice(0, 1), false);
        break;
      case "mv": {
        const { sources, targets } = destinationTargets(name, parseArgs(args, "tS", ["target-directory", "suffix"]), false);
        add(name, sources, false, true);
        out.push(...targets);
        break;
      }
      case "cp":
      case "install": {
        const shortWithValue = name === "cp" ? "tS" : "tSgmo";
        const p = parseArgs(args, shortWithValue, ["target-directory", "suffix", "group", "mode", "owner"]);
        if (name === "install" && p.flags.has("d")) break;
        out.push(...destinationTargets(name, p, true).targets);
        break;
      }
      case "truncate":
        add(name, parseArgs(args, "sr", ["size", "reference"]).operands, true);
        break;
      case "shred":
        add(name, parseArgs(args, "ns", ["iterations", "size", "random-source"]).operands, true);
        break;
      case "sed": {
        const p = parseArgs(args, "efl", ["expression", "file", "line-length"], "i");
        if (!p.flags.has("i") && !p.flags.has("in-place")) break;
        const scriptGiven = p.values.has("e") || p.values.has("f") || p.flags.has("expression") || p.flags.has("file");
        add(name, scriptGiven ? p.operands : p.operands.slice(1), p.flags.has("follow-symlinks"));
        break;
      }
      case "tee": {
        const p = parseArgs(args, "");
        if (!p.flags.has("a") && !p.flags.has("append")) add(name, p.operands, true);
        break;
      }
      case "dd": {
        const of = args.find((a) => a.startsWith("of="));
        if (of) add(name, [of.slice(3)], true);
        break;
      }
      default:
        for (const t of toolTargets(name, args)) add(name, t.words, false, t.recursive);
    }
    if (seg.argsFromStdin && out.length === start && DESTRUCTIVE.has(name)) {
      out.push({ word: `(${name} arguments from stdin)`, command: name, follow: false, recursive: true, dynamic: true });
    }
  }
  return out;
}

const DESTRUCTIVE = new Set(["rm", "unlink", "mv", "cp", "install", "truncate", "shred", "sed", "tee", "dd"]);

/** A concrete absolute path to back up. */
export interface PathTarget {
  path: string;
  command: string;
  follow: boolean;
  recursive: boolean;
}

export interface ResolvedTargets {
  paths: PathTarget[];
  /** Words that cannot be resolved before the shell runs (variables, substitutions). */
  unresolved: string[];
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function expandTilde(word: string, home: string): string {
  if (word === "~") return home;
  return word.startsWith("~/") ? join(home, word.slice(2)) : word;
}

async function expandWord(word: string, cwd: string, home: string, facts: Pick<WordTarget, "dynamic" | "glob"> = {}): Promise<string[] | undefined> {
  if (facts.dynamic ?? /[$`]/.test(word)) return undefined;
  const w = expandTilde(word, home);
  if (facts.glob ?? hasGlob(w)) {
    const matches = await expandGlob(w, cwd);
    // No match: bash passes the word through literally.
    return matches.length > 0 ? matches : [resolve(cwd, w)];
  }
  return [resolve(cwd, w)];
}

/** Resolves word targets to absolute paths (globs expanded, relative to `cwd`). */
export async function resolveTargets(targets: readonly WordTarget[], cwd: string, home: string): Promise<ResolvedTargets> {
  const paths: PathTarget[] = [];
  const unresolved: string[] = [];
  for (const t of targets) {
    const expanded = await expandWord(t.word, cwd, home, t);
    if (!expanded) {
      unresolved.push(t.word);
      continue;
    }
    for (const path of expanded) {
      if (t.intoDirFrom && (await isDirectory(path))) {
        for (const src of t.intoDirFrom) {
          const sources = (await expandWord(src, cwd, home)) ?? [];
          for (const s of sources) paths.push({ path: join(path, basename(s)), command: t.command, follow: t.follow, recursive: true });
        }
        continue;
      }
      paths.push({ path, command: t.command, follow: t.follow, recursive: t.recursive });
    }
  }
  return { paths, unresolved };
}
