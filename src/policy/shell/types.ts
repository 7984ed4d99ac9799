import type { RiskLevel } from "../types.js";

/** One redirection attached to a simple command, e.g. `> out.txt` or `2>> log`. */
export interface Redirect {
  /** The operator as written: ">", ">>", "<", "&>", ">|", "<<", "<<<", ... */
  op: string;
  /** The file descriptor, if written (`2>`), else undefined. */
  fd?: number;
  /** The normalised target word (quotes removed); undefined if it is not a static word. */
  target?: string;
}

/**
 * One simple command found anywhere in a shell line (pipelines, lists, subshells,
 * substitutions, function bodies, `sh -c` strings...), after wrappers are peeled off.
 */
export interface ShellSegment {
  /** Normalised words (quotes, backslashes and $'..' resolved). argv[0] is the command as written (may contain a path). */
  argv: string[];
  /** Wrappers peeled off, outermost first, e.g. ["sudo", "env"]. */
  wrappers: string[];
  redirects: Redirect[];
  /** true when the command cannot be known statically (variable in command position, eval, inline interpreter code, parse error...). */
  opaque: boolean;
  opaqueReason?: string;
  /** The source text this segment came from. */
  text: string;
  /** Index of the pipeline this segment belongs to and its position in it (for `curl | sh`). */
  pipeline?: { id: number; index: number; length: number };
  /** Nesting: e.g. ["command_substitution"], ["sh -c"], ["function:foo"]. Empty at top level. */
  context: string[];
  /** Position of this segment in `ShellAnalysis.segments` (stable id within one analysis). */
  id?: number;
  /** Id of the segment whose words contained this one (`sh -c "$(curl x)"`: curl's parent is sh). */
  parentId?: number;
  /** Per-word facts, aligned with `argv`. */
  words?: WordFacts[];
  /** The command also receives arguments read from stdin at run time (`xargs rm`). */
  argsFromStdin?: boolean;
  /** For `find … -exec cmd {} \;`: the find start paths that `{}` stands for. */
  placeholderRoots?: string[];
  /** find narrows the files with tests (-name, -type…): `{}` is some files below the roots, not all of them. */
  placeholderFiltered?: boolean;
  /** The segment runs in the background (`cmd &`). */
  background?: boolean;
  /** Variable assignments written before the command (`FOO=1 cmd`), normalised as NAME=value. */
  assignments?: string[];
  /** A static heredoc or here-string the command reads as stdin (`cat <<'EOF' | sh` feeds it to a shell). */
  stdinText?: string;
}

/** What normalisation learned about one word of argv. */
export interface WordFacts {
  /** Contains a variable, substitution or arithmetic expansion: the value is only known at run time. */
  dynamic: boolean;
  /** Contains an unquoted glob character (`*`, `?`, `[`): the shell may expand it to several paths. */
  glob: boolean;
}

export interface ShellAnalysis {
  segments: ShellSegment[];
  /** Parse errors make the whole line opaque. */
  parseErrors: string[];
}

/** A segment with its assessed risk and the reasons for it. */
export interface AssessedSegment extends ShellSegment {
  risk: RiskLevel;
  reasons: string[];
}

export interface RiskAssessment {
  risk: RiskLevel;
  segments: AssessedSegment[];
  /** Every reason from every segment, deduplicated, most severe first. */
  reasons: string[];
  /** true if any segment is opaque: such a line never runs locally. */
  opaque: boolean;
}

/** Paths the risk rules need to judge arguments ("inside the workspace", "~"). */
export interface RiskContext {
  workspace: string;
  home: string;
  /** Directories where writing is only medium risk; default /tmp, /var/tmp, /dev/shm. */
  tmpDirs?: string[];
  /**
   * Whether a path exists (inject `fs.existsSync` in production). Without it every write target
   * outside the workspace is assumed to exist (fail closed).
   */
  pathExists?: (absolutePath: string) => boolean;
}
