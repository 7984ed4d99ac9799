/**
 * Programs that run code given as a string: shells (re-parsed when the code is static) and
 * other interpreters (opaque: we do not analyse Python or Perl, so inline code is never local).
 */
import type { WrapperWord } from "./wrappers.js";

/** POSIX-family shells whose `-c` strings firebreak re-parses as bash. */
export const POSIX_SHELLS: ReadonlySet<string> = new Set(["sh", "bash", "zsh", "dash", "ksh", "ksh93", "mksh", "pdksh", "lksh", "oksh", "ash", "yash", "posh", "rbash"]);
/** Shells with a different syntax: their code cannot be judged with a bash grammar. */
export const OTHER_SHELLS: ReadonlySet<string> = new Set(["fish", "csh", "tcsh", "nu", "xonsh", "elvish", "pwsh", "powershell", "rc", "es", "cmd"]);

/** How a shell was invoked: with a `-c` string, a script file, or reading code from stdin. */
export type ShellInvocation =
  | { mode: "command"; code: WrapperWord | undefined }
  | { mode: "script"; script: WrapperWord }
  | { mode: "stdin" }
  | { mode: "query" };

const SHELL_VALUE_LONG = new Set(["--rcfile", "--init-file"]);
const SHELL_QUERY_LONG = new Set(["--version", "--help"]);

/**
 * Reads a shell's options: `bash -lc 'x'` is command mode, `bash x.sh` script mode, `bash -s` stdin mode.
 * @example shellInvocation([w("bash"), w("-c"), w("ls")]) // { mode: "command", code: w("ls") }
 */
export function shellInvocation(words: WrapperWord[]): ShellInvocation {
  let commandMode = false;
  let stdinMode = false;
  let i = 1;
  while (i < words.length) {
    const word = (words[i] as WrapperWord).value;
    if (word === "--" || word === "-") {
      i += 1;
      break;
    }
    if (word.startsWith("--")) {
      if (SHELL_QUERY_LONG.has(word)) return { mode: "query" };
      i += SHELL_VALUE_LONG.has(word) ? 2 : 1;
      continue;
    }
    if (!/^[-+]/.test(word)) break;
    let takesValue = 0;
    for (const flag of word.slice(1)) {
      if (flag === "c") commandMode = true;
      else if (flag === "s") stdinMode = true;
      else if (flag === "o" || flag === "O") takesValue += 1;
    }
    i += 1 + takesValue;
  }
  if (commandMode) return { mode: "command", code: words[i] };
  const script = words[i];
  if (script && !stdinMode) return { mode: "script", script };
  return { mode: "stdin" };
}

const PYTHON_RE = /^(python|pypy)[0-9.]*$/;
const AWK_NAMES = new Set(["awk", "gawk", "mawk", "nawk"]);
const PERL_LIKE = new Set(["perl", "ruby"]);
const EVAL_OPTION_INTERPRETERS: Readonly<Record<string, readonly string[]>> = {
  node: ["-e", "--eval", "-p", "--print", "-pe"],
  nodejs: ["-e", "--eval", "-p", "--print", "-pe"],
  bun: ["-e", "--eval", "-p", "--print"],
  deno: ["eval"],
  php: ["-r", "-R", "-B", "-E", "-F"],
  lua: ["-e"],
  luajit: ["-e"],
  Rscript: ["-e"],
  R: ["-e"],
  osascript: ["-e"],
  julia: ["-e", "--eval", "-E", "--print"],
  groovy: ["-e"],
  elixir: ["-e", "--eval"],
  erl: ["-eval"],
  vim: ["-c", "--cmd"],
  vi: ["-c", "--cmd"],
  nvim: ["-c", "--cmd"],
  ex: ["-c"],
};
/** Interpreters that run stdin (or start a REPL) when given no script. */
const STDIN_INTERPRETERS = new Set(["node", "nodejs", "perl", "ruby", "php", "lua", "luajit", "irb", "tclsh", "wish", "R", "julia", "bun", "deno", "ghci", "guile", "racket", "sbcl", "jshell"]);

/** awk programs that run commands or write files: `system()`, pipes, getline from commands, `print > f`. */
const AWK_DANGER_RE = /\bsystem\s*\(|\||\bgetline\b|\b(?:print|printf)\b[^;}]*>/;
/** git -c keys whose value is a command git will run. */
const GIT_COMMAND_KEY_RE = /^(core\.(pager|editor|sshcommand|fsmonitor|hookspath|askpass|gitproxy)|alias\.|sequence\.editor|diff\..*\.(command|textconv)|diff\.external|merge\..*\.driver|filter\..*\.(clean|smudge|process)|credential\.helper|gpg\..*program|gpg\.program|uploadpack\.packobjectshook|pager\.|web\.browser|browser\..*\.cmd|protocol\.ext\.allow|include\.path|init\.templatedir|sendemail\..*cmd)/i;

/**
 * Why a command runs code the analysis cannot see, or undefined.
 * @example inlineCodeProblem([w("python3"), w("-c"), w("print(1)")]) // "python3 runs inline code (-c)"
 */
export function inlineCodeProblem(words: WrapperWord[]): string | undefined {
  const name = (words[0] as WrapperWord).value;
  const args = words.slice(1).map((w) => w.value);
  if (PYTHON_RE.test(name)) return pythonProblem(name, args);
  if (PERL_LIKE.has(name)) {
    const flag = args.find((a) => /^-[^-]*[eE]/.test(a));
    if (flag) return `${name} runs inline code (${flag})`;
    return undefined;
  }
  if (AWK_NAMES.has(name)) return awkProblem(name, args);
  if (name === "git") return gitConfigProblem(args);
  const evalOptions = EVAL_OPTION_INTERPRETERS[name];
  if (evalOptions) {
    const flag = args.find((a) => evalOptions.includes(a.split("=", 1)[0] as string) || (name.endsWith("vim") && a.startsWith("+")));
    if (flag) return `${name} runs inline code (${flag})`;
  }
  return undefined;
}

/**
 * Whether an interpreter would read its program from stdin or start a REPL (no script given).
 * @example interpreterReadsStdin(["python3"]) // true
 */
export function interpreterReadsStdin(argv: string[]): boolean {
  const name = argv[0] ?? "";
  if (!PYTHON_RE.test(name) && !STDIN_INTERPRETERS.has(name)) return false;
  const args = argv.slice(1);
  if (args.some((a) => a === "--version" || a === "-V" || a === "-v" || a === "--help" || a === "-h")) return false;
  if (PYTHON_RE.test(name) && args.some((a) => a === "-m" || /^-[^-]*m$/.test(a))) return false;
  return args.every((a) => a.startsWith("-")) || args.includes("-");
}

function pythonProblem(name: string, args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "-m" || !arg.startsWith("-") || arg === "-") return undefined; // module or script: not inline
    if (arg.startsWith("--")) continue;
    if (arg.slice(1).includes("c")) return `${name} runs inline code (${arg})`;
    if (/^-[^-]*[WXQ]$/.test(arg)) i += 1; // the option's value is the next word
  }
  return undefined;
}

function awkProblem(name: string, args: string[]): string | undefined {
  let i = 0;
  let sawProgramFile = false;
  while (i < args.length) {
    const arg = args[i] as string;
    if (arg === "--") {
      i += 1;
      break;
    }
    if (arg === "-f" || arg === "--file") sawProgramFile = true;
    if (arg === "-e" || arg === "--source") {
      const program = args[i + 1] ?? "";
      if (AWK_DANGER_RE.test(program)) return `${name} program runs commands or writes files`;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    i += /^-[fvFeil]$/.test(arg) || /^--(file|assign|field-separator|source|include|load)$/.test(arg) ? 2 : 1;
  }
  if (sawProgramFile) return undefined;
  const program = args[i];
  if (program !== undefined && AWK_DANGER_RE.test(program)) return `${name} program runs commands or writes files`;
  return undefined;
}

function gitConfigProblem(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith("-")) return undefined; // the subcommand: global options end here
    const setting = arg === "-c" ? args[i + 1] : arg.startsWith("--config-env=") ? arg.slice(13) : undefined;
    if (setting !== undefined && GIT_COMMAND_KEY_RE.test(setting)) return `git -c ${setting.split("=", 1)[0]} makes git run a command`;
    if (arg === "-c" || arg === "-C" || arg === "--git-dir" || arg === "--work-tree" || arg === "--namespace") i += 1;
  }
  return undefined;
}
