/**
 * Wrapper commands (sudo, env, timeout, xargs, …) run another command given in their
 * arguments. Peeling them off, with their own flags, exposes the command that really runs.
 * Unknown flags make the segment opaque: we cannot tell where the wrapped command starts.
 */

/** How one wrapper's arguments are laid out. */
export interface WrapperSpec {
  /** Short options that take a value (attached `-uroot` or separate `-u root`). */
  shortWithValue?: string;
  /** Short options without a value. */
  shortFlags?: string;
  /** Long options that take a value (`--user root` or `--user=root`). */
  longWithValue?: string[];
  longFlags?: string[];
  /** Accept any `--long[=value]` option as a flag (valgrind-style tools). */
  anyLongFlag?: boolean;
  /** Accept `-NUMBER` as an option (nice -10). */
  numericShort?: boolean;
  /** Words after the options and before the command (timeout DURATION, chroot DIR). */
  positional?: number;
  /** Accepts NAME=value assignments before the command (env, sudo). */
  assignments?: boolean;
  /** Options that carry a shell command string (`su -c '…'`, `flock -c '…'`). */
  commandOptions?: string[];
  /** With one of these options the wrapper runs nothing (`command -v`, `sudo -l`). */
  queryOptions?: string[];
  /** The command receives extra arguments from stdin (xargs). */
  readsArgsFromStdin?: boolean;
  /** The remaining words are joined and run by a shell (watch, parallel). */
  joinsIntoShellString?: boolean;
  /** Options after which the remaining command words are a shell string (env -S). */
  splitStringOptions?: string[];
  /** Tokens that end the command part (parallel's `:::`). */
  commandTerminators?: string[];
  /** Runs commands only through its command option, never from its operands (su USER, script FILE). */
  noArgvCommand?: boolean;
}

const SUDO: WrapperSpec = {
  shortWithValue: "CDghpRrTtUuac",
  shortFlags: "AbBEeHiKkNnPSsVv",
  longWithValue: ["--user", "--group", "--chdir", "--close-from", "--host", "--prompt", "--role", "--type", "--other-user", "--command-timeout", "--chroot", "--login-class"],
  longFlags: ["--askpass", "--background", "--bell", "--preserve-env", "--edit", "--set-home", "--login", "--remove-timestamp", "--reset-timestamp", "--non-interactive", "--preserve-groups", "--stdin", "--shell", "--validate", "--version", "--help", "--list"],
  assignments: true,
  queryOptions: ["-l", "--list", "-v", "--validate", "-V", "--version", "-h", "--help", "-K", "-k", "-e", "--edit"],
};

/** Every wrapper firebreak knows, by command name. */
export const WRAPPERS: Readonly<Record<string, WrapperSpec>> = {
  sudo: SUDO,
  doas: { shortWithValue: "uC", shortFlags: "nsL", queryOptions: ["-C", "-L"] },
  pkexec: { longWithValue: ["--user"], longFlags: ["--disable-internal-agent", "--keep-cwd"] },
  runuser: { shortWithValue: "ugGsw", shortFlags: "lmpP", longWithValue: ["--user", "--group", "--supp-group", "--shell", "--whitelist-environment"], longFlags: ["--login", "--preserve-environment", "--pty"], commandOptions: ["-c", "--command"] },
  env: {
    shortWithValue: "uCS",
    shortFlags: "i0v",
    longWithValue: ["--unset", "--chdir", "--split-string"],
    longFlags: ["--ignore-environment", "--null", "--debug", "--block-signal", "--default-signal", "--ignore-signal", "--list-signal-handling"],
    assignments: true,
    splitStringOptions: ["-S", "--split-string"],
  },
  timeout: { shortWithValue: "sk", shortFlags: "v", longWithValue: ["--signal", "--kill-after"], longFlags: ["--preserve-status", "--foreground", "--verbose"], positional: 1 },
  nice: { shortWithValue: "n", longWithValue: ["--adjustment"], numericShort: true },
  ionice: { shortWithValue: "cnP", shortFlags: "tu", longWithValue: ["--class", "--classdata"], longFlags: ["--ignore"], queryOptions: ["-p", "--pid", "-P", "--pgid", "-u", "--uid"] },
  nohup: {},
  setsid: { shortFlags: "cfw", longFlags: ["--ctty", "--fork", "--wait"] },
  stdbuf: { shortWithValue: "ioe", longWithValue: ["--input", "--output", "--error"] },
  unbuffer: { shortFlags: "p" },
  command: { shortFlags: "p", queryOptions: ["-v", "-V"] },
  builtin: {},
  exec: { shortWithValue: "a", shortFlags: "cl" },
  time: { shortWithValue: "fo", shortFlags: "pavq", longWithValue: ["--format", "--output"], longFlags: ["--portability", "--append", "--verbose", "--quiet"] },
  chroot: { longWithValue: ["--userspec", "--groups"], longFlags: ["--skip-chdir"], positional: 1 },
  taskset: { shortFlags: "ac", longFlags: ["--all-tasks", "--cpu-list"], positional: 1, queryOptions: ["-p", "--pid"] },
  chrt: { shortWithValue: "TPD", shortFlags: "bdfiormRav", positional: 1, queryOptions: ["-p", "--pid", "-m", "--max"] },
  flock: { shortWithValue: "wEc", shortFlags: "sxneuoF", longWithValue: ["--timeout", "--conflict-exit-code"], longFlags: ["--shared", "--exclusive", "--nonblock", "--unlock", "--close", "--no-fork", "--verbose"], positional: 1, commandOptions: ["-c", "--command"] },
  unshare: { shortFlags: "muinpUCTrcf", anyLongFlag: true },
  nsenter: { shortWithValue: "tSGw", shortFlags: "amuinpUCTrFZ", anyLongFlag: true },
  strace: { shortWithValue: "oepsSaEIuXbPU", shortFlags: "fcwhrtTvVqkxyzCdDFiZ", anyLongFlag: true, queryOptions: ["-p"] },
  ltrace: { shortWithValue: "oenpsauL", shortFlags: "fciShrtTCV", anyLongFlag: true, queryOptions: ["-p"] },
  valgrind: { anyLongFlag: true },
  xargs: {
    shortWithValue: "adEILlnPsi",
    shortFlags: "0rtpxo",
    longWithValue: ["--arg-file", "--delimiter", "--eof", "--replace", "--max-lines", "--max-args", "--max-procs", "--max-chars", "--process-slot-var"],
    longFlags: ["--null", "--no-run-if-empty", "--verbose", "--interactive", "--exit", "--open-tty", "--show-limits"],
    readsArgsFromStdin: true,
  },
  parallel: {
    shortWithValue: "jSIdaEn",
    shortFlags: "0kqvuXmgr",
    anyLongFlag: true,
    joinsIntoShellString: true,
    readsArgsFromStdin: true,
    commandTerminators: [":::", "::::", ":::+", "::::+"],
  },
  watch: { shortWithValue: "nd", shortFlags: "bcegtxp", anyLongFlag: true, joinsIntoShellString: true },
  busybox: { queryOptions: ["--list", "--install", "--help", "--list-full"] },
  caffeinate: { shortWithValue: "tw", shortFlags: "dimsu" },
  su: { shortWithValue: "sgG", shortFlags: "lmpP", longWithValue: ["--shell", "--group", "--supp-group", "--whitelist-environment"], longFlags: ["--login", "--preserve-environment", "--pty", "--fast"], commandOptions: ["-c", "--command", "--session-command"], noArgvCommand: true },
  script: { shortWithValue: "cETBIOmt", shortFlags: "aefqrk", commandOptions: ["-c", "--command"], anyLongFlag: true, noArgvCommand: true },
};

/** A word as the wrapper parser needs it. */
export interface WrapperWord {
  value: string;
  dynamic: boolean;
}

/** A shell command string found in a wrapper's arguments. */
export interface CarriedShellString {
  text: string;
  dynamic: boolean;
  via: string;
}

/** The result of peeling one wrapper off a command. */
export interface PeelResult {
  /** Index in argv where the wrapped command starts; undefined if the wrapper runs no command. */
  commandIndex?: number;
  /** Index where the command part ends (exclusive), e.g. before parallel's `:::`. */
  commandEnd: number;
  /** Shell command strings carried by options (`su -c '…'`, `env -S '…'`). */
  shellStrings: CarriedShellString[];
  /** Argument indices of NAME=value assignments (env, sudo). */
  assignmentIndices: number[];
  /** Set when the wrapper's options cannot be understood. */
  problem?: string;
}

const ASSIGNMENT_RE = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * Parses a wrapper's own options to find where the wrapped command starts.
 * @example peelWrapper("timeout", words("timeout -s KILL 5 rm x")).commandIndex // 4
 */
export function peelWrapper(name: string, words: WrapperWord[]): PeelResult {
  const spec = WRAPPERS[name] as WrapperSpec;
  const result: PeelResult = { shellStrings: [], assignmentIndices: [], commandEnd: words.length };
  let i = 1;
  while (i < words.length) {
    const word = (words[i] as WrapperWord).value;
    if (word === "--") {
      i += 1;
      break;
    }
    if (spec.assignments && ASSIGNMENT_RE.test(word)) {
      result.assignmentIndices.push(i);
      i += 1;
      continue;
    }
    if (name === "env" && word === "-") {
      i += 1; // a lone "-" means -i
      continue;
    }
    if (!word.startsWith("-") || word === "-") {
      if (!spec.noArgvCommand) break;
      i += 1; // su USER -c '…': options may follow the user
      continue;
    }
    if (spec.queryOptions?.includes(word.split("=", 1)[0] as string)) return result;
    const step = parseOption(name, spec, words, i);
    if (typeof step === "string") {
      result.problem = step;
      return result;
    }
    if (step.carried) {
      result.shellStrings.push(step.carried);
      if (step.carried.via.endsWith("-S") || step.carried.via.endsWith("--split-string")) {
        // env -S: the string is split into the command and its first arguments; later words follow it
        const rest = words.slice(step.next).map((w) => quoteForShell(w.value));
        step.carried.text = [step.carried.text, ...rest].join(" ");
        step.carried.dynamic ||= words.slice(step.next).some((w) => w.dynamic);
        return result;
      }
    }
    if (step.query) return result;
    i = step.next;
  }
  i += spec.positional ?? 0;
  if (i >= words.length || spec.noArgvCommand) return result;
  const terminators = spec.commandTerminators ?? [];
  const end = words.findIndex((w, k) => k >= i && terminators.includes(w.value));
  if (end >= 0) result.commandEnd = end;
  result.commandIndex = i;
  return result;
}

/** Single-quotes a word for re-parsing, unless it is plainly safe. */
export function quoteForShell(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

interface OptionStep {
  next: number;
  carried?: CarriedShellString;
  query?: boolean;
}

function valueStep(name: string, option: string, words: WrapperWord[], i: number, attached: string | undefined, carries: boolean): OptionStep {
  if (!carries) return { next: attached !== undefined ? i + 1 : i + 2 };
  const value = attached !== undefined ? { value: attached, dynamic: (words[i] as WrapperWord).dynamic } : words[i + 1];
  const carried = value ? { text: value.value, dynamic: value.dynamic, via: `${name} ${option}` } : undefined;
  return { next: attached !== undefined ? i + 1 : i + 2, carried };
}

function parseOption(name: string, spec: WrapperSpec, words: WrapperWord[], i: number): OptionStep | string {
  const word = (words[i] as WrapperWord).value;
  if (word.startsWith("--")) {
    const eq = word.indexOf("=");
    const option = eq >= 0 ? word.slice(0, eq) : word;
    const attached = eq >= 0 ? word.slice(eq + 1) : undefined;
    const carries = !!spec.commandOptions?.includes(option) || !!spec.splitStringOptions?.includes(option);
    if (carries || spec.longWithValue?.includes(option)) return valueStep(name, option, words, i, attached, carries);
    if (spec.longFlags?.includes(option) || spec.anyLongFlag) return { next: i + 1 };
    return `unknown option ${option} to ${name}`;
  }
  if (spec.numericShort && /^-\d+$/.test(word)) return { next: i + 1 };
  for (let k = 1; k < word.length; k++) {
    const option = `-${word[k] as string}`;
    const attached = k + 1 < word.length ? word.slice(k + 1) : undefined;
    const carries = !!spec.commandOptions?.includes(option) || !!spec.splitStringOptions?.includes(option);
    if (carries || spec.shortWithValue?.includes(option.slice(1))) return valueStep(name, option, words, i, attached, carries);
    if (spec.queryOptions?.includes(option)) return { next: i + 1, query: true };
    if (!spec.shortFlags?.includes(option.slice(1))) return `unknown option ${option} to ${name}`;
  }
  return { next: i + 1 };
}
