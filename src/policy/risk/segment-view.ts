/**
 * Pre-digested facts about one segment for the risk rules: command name, flags, operands,
 * and classified paths (read, written, deleted). Computed lazily and cached, so rules stay
 * one-liners over parsed argv and redirects — never over the raw command line.
 */
import { basename } from "../shell/command-judge.js";
import type { RiskContext, ShellSegment } from "../shell/types.js";
import { classifyPath, type CwdState, type PathInfo } from "./paths.js";

const WRITE_OPS = new Set([">", ">>", ">|", "&>", "&>>", "<>", ">&", "&>|"]);
const FD_TARGET_RE = /^(\d+|-)$/;

/** One segment as the rules see it. */
export class SegmentView {
  /** Command name without directory (`/bin/rm` -> `rm`); "" for assignment-only segments. */
  readonly name: string;
  /** Arguments after the command name. */
  readonly args: string[];
  private cache = new Map<string, unknown>();

  constructor(
    readonly segment: ShellSegment,
    readonly cwd: CwdState,
    readonly ctx: RiskContext,
  ) {
    this.name = segment.argv.length > 0 ? basename(segment.argv[0] as string) : "";
    this.args = segment.argv.slice(1);
  }

  /** Computes a value once per segment (rules ask for the same facts many times). */
  memo<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  /** Whether argument `index` (into args) is only known at run time. */
  isDynamic(index: number): boolean {
    return this.segment.words?.[index + 1]?.dynamic ?? false;
  }

  /** Short option letters from clusters before `--` (`-rf` gives r and f). */
  get shortFlags(): Set<string> {
    return this.memo("short", () => {
      const flags = new Set<string>();
      for (const arg of this.args) {
        if (arg === "--") break;
        if (/^-[A-Za-z0-9]/.test(arg) && !arg.startsWith("--")) for (const ch of arg.slice(1)) flags.add(ch);
      }
      return flags;
    });
  }

  /** Long options (before any `=`) before `--`. */
  get longFlags(): Set<string> {
    return this.memo("long", () => {
      const flags = new Set<string>();
      for (const arg of this.args) {
        if (arg === "--") break;
        if (arg.startsWith("--")) flags.add(arg.split("=", 1)[0] as string);
      }
      return flags;
    });
  }

  /** Whether any of the given options is present: "-r" checks the short letter, "--force" the long one. */
  has(...options: string[]): boolean {
    return options.some((o) => (o.startsWith("--") ? this.longFlags.has(o) : this.shortFlags.has(o.slice(1))));
  }

  /** The value of an option: `-o file`, `-ofile`, `--output file`, `--output=file`. */
  optionValue(...options: string[]): string | undefined {
    for (let i = 0; i < this.args.length; i++) {
      const arg = this.args[i] as string;
      if (arg === "--") return undefined;
      for (const option of options) {
        if (arg === option) return this.args[i + 1];
        if (option.startsWith("--") && arg.startsWith(`${option}=`)) return arg.slice(option.length + 1);
        if (!option.startsWith("--") && arg.startsWith(option) && arg.length > option.length && !arg.startsWith("--")) return arg.slice(option.length);
      }
    }
    return undefined;
  }

  /** Arguments that are not options (everything after `--` counts). Indices into args. */
  get operandIndices(): number[] {
    return this.memo("operands", () => {
      const out: number[] = [];
      let options = true;
      this.args.forEach((arg, i) => {
        if (options && arg === "--") options = false;
        else if (!options || !arg.startsWith("-") || arg === "-") out.push(i);
      });
      return out;
    });
  }

  get operands(): string[] {
    return this.operandIndices.map((i) => this.args[i] as string);
  }

  /** Classifies argument `index` as a path. */
  pathAt(index: number): PathInfo {
    return this.memo(`path:${index}`, () => this.path(this.args[index] as string, this.isDynamic(index)));
  }

  /** Classifies a word as a path, expanding find's `{}` to its start paths. */
  path(raw: string, dynamic = false): PathInfo {
    const roots = this.segment.placeholderRoots;
    if (roots && raw.includes("{}")) {
      // unfiltered, {} stands for everything below a root; filtered, for some files below it
      const child = this.segment.placeholderFiltered ? "{}" : "*";
      const infos = roots.map((root) => classifyPath(raw.replace("{}", `${root.replace(/\/$/, "")}/${child}`), dynamic, this.cwd, this.ctx));
      return infos.find((i) => i.critical) ?? infos.find((i) => !i.inWorkspace) ?? (infos[0] as PathInfo);
    }
    return classifyPath(raw, dynamic, this.cwd, this.ctx);
  }

  /** Operands as paths; plus one unknown path when more arrive on stdin (`xargs rm`). */
  get operandPaths(): PathInfo[] {
    return this.memo("operandPaths", () => {
      const paths = this.operandIndices.map((i) => this.pathAt(i));
      if (this.segment.argsFromStdin) paths.push(this.unknownPath("<paths from stdin>"));
      return paths;
    });
  }

  /** Every word that might name a file: operands and option values (`--file=x`, `-T x`). */
  get mentionedPaths(): PathInfo[] {
    return this.memo("mentioned", () => {
      const paths: PathInfo[] = [];
      this.args.forEach((arg, i) => {
        if (/^-[A-Za-z0-9-]*$/.test(arg)) return; // a bare option names no file
        const eq = arg.indexOf("=");
        const value = arg.startsWith("-") && eq > 0 ? arg.slice(eq + 1) : arg;
        const attached = /^-[A-Za-z]@/.test(arg) ? arg.slice(2) : value; // -d@file
        const text = attached.startsWith("@") || attached.startsWith("<") ? attached.slice(1) : attached;
        if (text !== "") paths.push(this.path(text, this.isDynamic(i)));
      });
      for (const r of this.segment.redirects) if (r.target !== undefined && !FD_TARGET_RE.test(r.target)) paths.push(this.path(r.target));
      return paths;
    });
  }

  /** Files written by redirects; an unknown target counts as an unknown path. */
  get redirectWrites(): PathInfo[] {
    return this.memo("writes", () =>
      this.segment.redirects
        .filter((r) => WRITE_OPS.has(r.op) && !(r.op === ">&" && r.target !== undefined && FD_TARGET_RE.test(r.target)))
        .map((r) => (r.target === undefined ? this.unknownPath("<redirect target only known at run time>") : this.path(r.target))),
    );
  }

  /** Files read by `<` redirects. */
  get redirectReads(): PathInfo[] {
    return this.memo("reads", () => this.segment.redirects.filter((r) => (r.op === "<" || r.op === "<>") && r.target !== undefined).map((r) => this.path(r.target as string)));
  }

  unknownPath(raw: string): PathInfo {
    return classifyPath(raw, true, this.cwd, this.ctx);
  }
}

/** All segments of one line, for rules that look across segments (pipelines, nesting). */
export class LineView {
  readonly byId = new Map<number, SegmentView>();

  constructor(readonly views: SegmentView[]) {
    for (const view of views) if (view.segment.id !== undefined) this.byId.set(view.segment.id, view);
  }

  /** The segments whose words (transitively) contain this one: `bash <(curl x)` -> curl's ancestors include bash. */
  ancestors(view: SegmentView): SegmentView[] {
    const out: SegmentView[] = [];
    let parentId = view.segment.parentId;
    while (parentId !== undefined) {
      const parent = this.byId.get(parentId);
      if (!parent || out.includes(parent)) break;
      out.push(parent);
      parentId = parent.segment.parentId;
    }
    return out;
  }

  /** Other segments of the same pipeline that come before this one. */
  upstream(view: SegmentView): SegmentView[] {
    const pipe = view.segment.pipeline;
    if (!pipe) return [];
    return this.views.filter((v) => v.segment.pipeline?.id === pipe.id && v.segment.pipeline.index < pipe.index);
  }

  /** Every segment in the same pipeline, including this one. */
  pipelineMembers(view: SegmentView): SegmentView[] {
    const pipe = view.segment.pipeline;
    if (!pipe) return [view];
    return this.views.filter((v) => v.segment.pipeline?.id === pipe.id);
  }
}
