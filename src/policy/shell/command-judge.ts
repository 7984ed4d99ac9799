/**
 * Judges one simple command after its words are normalised: peels wrappers, decides whether
 * it is opaque, and collects the code it carries (`sh -c` strings, heredocs fed to a shell,
 * `find -exec` commands, code-carrying variables) for the walker to analyse as nested context.
 */
import { commandNameProblem } from "./characters.js";
import { inlineCodeProblem, interpreterReadsStdin, OTHER_SHELLS, POSIX_SHELLS, shellInvocation } from "./interpreters.js";
import type { StdinText } from "./redirects.js";
import type { Redirect, ShellSegment } from "./types.js";
import type { NormalisedWord } from "./words.js";
import { peelWrapper, quoteForShell, WRAPPERS } from "./wrappers.js";

/** A `NAME=value` assignment. */
export interface Assignment {
  name: string;
  value: string;
  dynamic: boolean;
}

/** Everything the walker knows about a simple command before judging it. */
export interface CommandFacts {
  words: NormalisedWord[];
  /** Assignments before the command (`FOO=1 cmd`) or standing alone. */
  assignments: Assignment[];
  /** Assignments made by export/declare/local/readonly (judged, not stored as prefix assignments). */
  declared?: Assignment[];
  redirects: Redirect[];
  stdin?: StdinText;
  pipelineIndex?: number;
  /** Segments of the previous pipeline stage (to see what a shell reads from the pipe). */
  previousStage?: ShellSegment[];
  placeholderRoots?: string[];
  placeholderFiltered?: boolean;
}

/** Shell code found inside a command, to be parsed and analysed as nested context. */
export interface CarriedCode {
  text: string;
  via: string;
}

/** A command that `find -exec` runs for each file found. */
export interface ExecCommand {
  words: NormalisedWord[];
  roots: string[];
  /** find filters the files (-name, -type, ...) before running the command. */
  filtered: boolean;
  via: string;
}

export interface JudgedCommand {
  /** The command that really runs, wrappers removed. */
  words: NormalisedWord[];
  wrappers: string[];
  /** Assignments made by wrappers (`env FOO=1 cmd`, `sudo FOO=1 cmd`). */
  assignments: Assignment[];
  argsFromStdin: boolean;
  opaqueReasons: string[];
  code: CarriedCode[];
  execCommands: ExecCommand[];
  /** xargs -I/-i: this string in the command's words is replaced by each line read from stdin. */
  stdinReplaceString?: string;
}

/** Words that are shell syntax, never commands: seeing one as a command name means the parse went wrong. */
const SHELL_KEYWORDS = new Set(["if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in", "select", "function", "{", "}", "[[", "]]", "!", "coproc"]);
/** Variables whose value is a command line some program will run. */
const CODE_VARIABLES = new Set(["PAGER", "GIT_PAGER", "MANPAGER", "SYSTEMD_PAGER", "EDITOR", "VISUAL", "GIT_EDITOR", "SUDO_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_SSH_COMMAND", "GIT_EXTERNAL_DIFF", "GIT_ASKPASS", "SSH_ASKPASS", "PROMPT_COMMAND", "BASH_ENV", "ENV", "LESSOPEN", "LESSCLOSE", "BROWSER", "RSYNC_RSH", "FCEDIT"]);
const FIND_EXEC_ACTIONS = new Set(["-exec", "-execdir", "-ok", "-okdir"]);
/** find tests that select a subset of files. */
export const FIND_FILTERS = /^-(i?name|i?path|i?wholename|i?regex|type|x?type|empty|newer\w*|[acm](time|min)|size|user|group|perm|links|inum|samefile|uid|gid|nouser|nogroup|readable|writable|executable|fstype)$/;
const MAX_WRAPPERS = 32;

/**
 * Judges one simple command.
 * @example judgeCommand({ words: words("sudo rm -rf /"), assignments: [], redirects: [] }).wrappers // ["sudo"]
 */
export function judgeCommand(facts: CommandFacts): JudgedCommand {
  const judged: JudgedCommand = { words: facts.words, wrappers: [], assignments: [], argsFromStdin: false, opaqueReasons: [], code: [], execCommands: [] };
  const ifsWord = facts.words.find((w) => w.usesIfs);
  if (ifsWord) judged.opaqueReasons.push(`uses $IFS to split words (${ifsWord.value})`);
  if (facts.words.some((w) => w.hasNul)) judged.opaqueReasons.push("a word contains a NUL character ($'\\0'), which shells treat differently");
  const nameOk = unwrap(judged);
  for (const a of [...facts.assignments, ...(facts.declared ?? []), ...judged.assignments]) judgeAssignment(a, judged);
  if (nameOk && judged.words.length > 0) judgeCore(facts, judged);
  return judged;
}

/** Peels wrappers; returns false when the command name itself is unknowable. */
function unwrap(judged: JudgedCommand): boolean {
  for (let round = 0; round < MAX_WRAPPERS; round++) {
    const first = judged.words[0];
    if (!first) return true;
    const problem = commandNameProblemOf(first);
    if (problem) {
      judged.opaqueReasons.push(problem);
      return false;
    }
    const name = basename(first.value);
    if (!WRAPPERS[name]) return true;
    const peel = peelWrapper(name, judged.words);
    if (peel.problem) {
      judged.opaqueReasons.push(peel.problem);
      return false;
    }
    for (const carried of peel.shellStrings) {
      if (carried.dynamic) judged.opaqueReasons.push(`${carried.via} runs code only known at run time`);
      else judged.code.push({ text: carried.text, via: carried.via });
    }
    for (const index of peel.assignmentIndices) {
      const word = judged.words[index] as NormalisedWord;
      const eq = word.value.indexOf("=");
      judged.assignments.push({ name: word.value.slice(0, eq), value: word.value.slice(eq + 1), dynamic: word.dynamic });
    }
    if (peel.commandIndex === undefined) return true;
    const spec = WRAPPERS[name];
    if (spec?.readsArgsFromStdin) {
      judged.argsFromStdin = true;
      const replace = name === "xargs" ? xargsReplaceString(judged.words.slice(1, peel.commandIndex)) : undefined;
      if (replace !== undefined) judged.stdinReplaceString = replace;
    }
    const command = judged.words.slice(peel.commandIndex, peel.commandEnd);
    if (spec?.joinsIntoShellString) {
      // watch/parallel hand the joined words to `sh -c`: analyse that string, keep the wrapper as the segment
      if (command.some((w) => w.dynamic)) judged.opaqueReasons.push(`${name} runs a command built at run time`);
      else for (const text of joinedCommands(name, command, judged.words.slice(peel.commandEnd))) judged.code.push({ text, via: name });
      return true;
    }
    judged.wrappers.push(name);
    judged.words = command;
  }
  judged.opaqueReasons.push(`more than ${MAX_WRAPPERS} nested wrappers`);
  return false;
}

const MAX_PARALLEL_INPUTS = 16;

/**
 * The shell strings watch/parallel run. parallel appends each input after `:::` (or puts it at `{}`);
 * inputs read from stdin become an unknown word, so paths they name count as unknowable.
 */
function joinedCommands(name: string, command: NormalisedWord[], rest: NormalisedWord[]): string[] {
  const base = command.map((w) => w.value).join(" ");
  if (name !== "parallel") return [base];
  const inputs = rest.filter((w) => !w.value.startsWith(":::")).slice(0, MAX_PARALLEL_INPUTS);
  const values = rest.length > 0 ? inputs.map((w) => (w.dynamic ? '"$PARALLEL_INPUT"' : quoteForShell(w.value))) : ['"$PARALLEL_INPUT"'];
  return values.map((v) => (base.includes("{}") ? base.replaceAll("{}", v) : `${base} ${v}`));
}

function commandNameProblemOf(word: NormalisedWord): string | undefined {
  if (word.dynamic) return `command name is only known at run time (${word.value})`;
  if (word.glob) return `command name is a glob pattern (${word.value})`;
  if (word.value === "") return "empty command name";
  if (SHELL_KEYWORDS.has(word.value)) return `shell keyword "${word.value}" parsed as a command`;
  return commandNameProblem(word.value);
}

function judgeAssignment(a: Assignment, judged: JudgedCommand): void {
  if (!CODE_VARIABLES.has(a.name)) return;
  if (a.dynamic) judged.opaqueReasons.push(`$${a.name} holds a command only known at run time`);
  else if (a.value.trim() !== "") judged.code.push({ text: a.value, via: `$${a.name}` });
}

function judgeCore(facts: CommandFacts, judged: JudgedCommand): void {
  const words = judged.words;
  const argv = words.map((w) => w.value);
  const name = basename(argv[0] as string);
  const coreArgv = [name, ...argv.slice(1)];
  if (POSIX_SHELLS.has(name)) {
    judgeShell(name, words, facts, judged);
    return;
  }
  if (OTHER_SHELLS.has(name)) {
    if (argv.length === 1 || argv.some((a) => /^-(c|command|Command|e)$/i.test(a))) judged.opaqueReasons.push(`${name} runs code in a non-bash syntax`);
    return;
  }
  const inline = inlineCodeProblem([{ value: name, dynamic: false }, ...words.slice(1)]);
  if (inline) judged.opaqueReasons.push(inline);
  if (interpreterReadsStdin(coreArgv)) {
    const fed = facts.stdin !== undefined || (facts.pipelineIndex ?? 0) > 0 || facts.redirects.some((r) => r.op === "<");
    judged.opaqueReasons.push(fed ? `${name} reads its program from stdin` : `${name} starts an interactive interpreter`);
  }
  switch (name) {
    case "eval": {
      judged.opaqueReasons.push("eval runs a string as code");
      const args = words.slice(1);
      if (args.length > 0 && !args.some((w) => w.dynamic)) judged.code.push({ text: args.map((w) => w.value).join(" "), via: "eval" });
      return;
    }
    case "source":
    case ".":
      judged.opaqueReasons.push(`${name} runs the commands in a file (${argv[1] ?? "stdin"})`);
      return;
    case "fc":
      if (!argv.includes("-l")) judged.opaqueReasons.push("fc re-runs commands from history");
      return;
    case "trap":
      judgeTrap(words, judged);
      return;
    case "alias":
      for (const w of words.slice(1)) {
        const eq = w.value.indexOf("=");
        if (eq <= 0) continue;
        if (w.dynamic) judged.opaqueReasons.push("alias defined with a value only known at run time");
        else judged.code.push({ text: w.value.slice(eq + 1), via: `alias ${w.value.slice(0, eq)}` });
      }
      return;
    case "find":
      judged.execCommands.push(...findExecCommands(words));
      return;
  }
}

function judgeShell(name: string, words: NormalisedWord[], facts: CommandFacts, judged: JudgedCommand): void {
  const invocation = shellInvocation(words);
  if (invocation.mode === "command") {
    const replace = judged.stdinReplaceString;
    if (invocation.code && replace !== undefined && invocation.code.value.includes(replace)) {
      judged.opaqueReasons.push(`${name} -c runs text piped into xargs as code (${replace} in the command string)`);
      return;
    }
    if (!invocation.code) judged.opaqueReasons.push(`${name} -c without a command string`);
    else if (invocation.code.dynamic) judged.opaqueReasons.push(`${name} -c runs code only known at run time (${invocation.code.value})`);
    else judged.code.push({ text: invocation.code.value, via: `${name} -c` });
    return;
  }
  if (invocation.mode === "script") {
    if (invocation.script.dynamic) judged.opaqueReasons.push(`${name} runs a script only known at run time (${invocation.script.value})`);
    return;
  }
  if (invocation.mode === "query") return;
  if (facts.stdin) {
    if (facts.stdin.dynamic) judged.opaqueReasons.push(`${name} reads code from a ${facts.stdin.kind} that expands at run time`);
    else judged.code.push({ text: facts.stdin.text, via: `${name} <${facts.stdin.kind}>` });
    return;
  }
  if (facts.redirects.some((r) => r.op === "<")) return; // runs a script file, like `bash file`
  if ((facts.pipelineIndex ?? 0) > 0) {
    const fed = staticFeedText(facts.previousStage);
    if (fed !== undefined) judged.code.push({ text: fed.text, via: `${fed.via} | ${name}` });
    else judged.opaqueReasons.push(`${name} reads its commands from a pipe`);
    return;
  }
  judged.opaqueReasons.push(`${name} starts an interactive shell`);
}

/**
 * The static text the previous pipeline stage writes, when that is all it does: `echo static words`, or `cat` of a
 * heredoc or here-string without expansions (`cat <<'EOF' | bash`). A shell reading it runs that text as code.
 */
function staticFeedText(stage: ShellSegment[] | undefined): { text: string; via: string } | undefined {
  if (stage?.length !== 1) return undefined;
  const [segment] = stage as [ShellSegment];
  if (segment.opaque || segment.words?.some((w) => w.dynamic)) return undefined;
  if (segment.argv[0] === "cat" && segment.stdinText !== undefined && segment.argv.every((a, i) => i === 0 || a === "-")) {
    return { text: segment.stdinText, via: "cat <<heredoc" };
  }
  if (segment.argv[0] !== "echo") return undefined;
  const args = segment.argv.slice(1);
  if (args.some((a) => /^-[a-zA-Z]+$/.test(a) && a !== "-n")) return undefined;
  return { text: args.filter((a) => a !== "-n").join(" "), via: "echo" };
}

/**
 * xargs's replace string: `-I R`/`-IR`, `-i[R]` or `--replace[=R]` (`{}` when none is given).
 * @example xargsReplaceString(words("-I {}")) // "{}"
 */
function xargsReplaceString(options: NormalisedWord[]): string | undefined {
  let replace: string | undefined;
  for (let i = 0; i < options.length; i++) {
    const value = (options[i] as NormalisedWord).value;
    if (value === "-I") replace = options[++i]?.value;
    else if (value.startsWith("-I")) replace = value.slice(2);
    else if (value === "-i" || value === "--replace") replace = "{}";
    else if (value.startsWith("-i") && !value.startsWith("--")) replace = value.slice(2);
    else if (value.startsWith("--replace=")) replace = value.slice(10);
  }
  return replace === "" ? "{}" : replace;
}

function judgeTrap(words: NormalisedWord[], judged: JudgedCommand): void {
  const operands = words.slice(1).filter((w, i) => !(i === 0 && (w.value === "--" || /^-[lp]$/.test(w.value))));
  const [action, ...signals] = operands;
  if (!action || signals.length === 0 || action.value === "-" || action.value === "") return;
  if (action.dynamic) judged.opaqueReasons.push("trap action only known at run time");
  else judged.code.push({ text: action.value, via: "trap" });
}

/**
 * The commands `find … -exec cmd {} \;` runs, with the find start paths `{}` stands for.
 * @example findExecCommands(words("find . -exec rm {} +"))[0].words // rm {}
 */
export function findExecCommands(words: NormalisedWord[]): ExecCommand[] {
  const roots: string[] = [];
  let i = 1;
  while (i < words.length && /^-[HLP]$|^-O\d$/.test((words[i] as NormalisedWord).value)) i += 1;
  if (words[i]?.value === "-D") i += 2;
  for (; i < words.length; i++) {
    const value = (words[i] as NormalisedWord).value;
    if (value.startsWith("-") || value === "(" || value === "!" || value === ",") break;
    roots.push(value);
  }
  if (roots.length === 0) roots.push(".");
  const commands: ExecCommand[] = [];
  const filtered = words.slice(i).some((w) => FIND_FILTERS.test(w.value));
  for (; i < words.length; i++) {
    const action = (words[i] as NormalisedWord).value;
    if (!FIND_EXEC_ACTIONS.has(action)) continue;
    const start = i + 1;
    let end = start;
    while (end < words.length && !isExecTerminator(words, end)) end += 1;
    if (end > start) commands.push({ words: words.slice(start, end), roots, filtered, via: `find ${action}` });
    i = end;
  }
  return commands;
}

function isExecTerminator(words: NormalisedWord[], index: number): boolean {
  const value = (words[index] as NormalisedWord).value;
  if (value === ";") return true;
  return value === "+" && words[index - 1]?.value === "{}";
}

/** `/usr/bin/rm` -> `rm`. */
export function basename(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash >= 0 && slash < path.length - 1 ? path.slice(slash + 1) : path;
}
