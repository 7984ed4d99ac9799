/**
 * Named sets of commands the risk rules refer to. Data only; the rules decide.
 */
import type { RiskLevel } from "../types.js";

/** Read-only commands: low risk when their arguments pass the path checks. */
export const READ_ONLY_COMMANDS: ReadonlySet<string> = new Set([
  "ls", "ll", "dir", "cat", "head", "tail", "less", "more", "grep", "egrep", "fgrep", "rg", "ag", "ack", "find", "fd", "tree",
  "wc", "echo", "printf", "pwd", "whoami", "id", "groups", "date", "uname", "uptime", "which", "type", "whereis", "file", "stat",
  "du", "df", "free", "ps", "pgrep", "sort", "uniq", "cut", "tr", "diff", "cmp", "comm", "basename", "dirname", "realpath",
  "readlink", "true", "false", "test", "[", ":", "sleep", "seq", "jq", "yq", "md5sum", "sha1sum", "sha224sum", "sha256sum",
  "sha384sum", "sha512sum", "b2sum", "cksum", "base64", "base32", "xxd", "od", "hexdump", "strings", "nl", "column", "rev", "tac",
  "paste", "join", "fold", "fmt", "expand", "unexpand", "man", "help", "info", "history", "cd", "pushd", "popd", "dirs",
  "export", "declare", "local", "readonly", "unset", "typeset", "set", "shopt", "read", "wait", "jobs", "exit", "return", "break", "continue",
  "shift", "getopts", "let", "nproc", "arch", "lscpu", "locale", "tput", "clear", "tty", "cal", "factor", "expr", "bc",
  "iconv", "awk", "gawk", "mawk", "nawk", "sed", "zcat", "bzcat", "xzcat", "zgrep", "lsb_release", "hostnamectl",
  "printenv", "env", "tee", "command", "hash", "ulimit", "umask", "times", "logname", "users", "who", "w", "last", "look",
  "numfmt", "shuf", "tsort", "ptx", "pr", "sum", "xargs", "parallel", "watch", "time", "nice", "timeout", "nohup", "stdbuf",
  "exec", "builtin", "journalctl", "apt-cache", "dpkg-query", "lsblk", "lsusb", "lspci", "ip", "ss", "netstat", "dig", "host",
  "nslookup", "ping", "[[", "trap", "alias", "hostname", "yes",
]);

/** Read-only commands whose operands are not file paths (so a variable operand reads nothing unknown). */
export const NON_PATH_COMMANDS: ReadonlySet<string> = new Set([
  "echo", "printf", "pwd", "whoami", "id", "groups", "date", "uname", "uptime", "which", "type", "whereis", "true", "false",
  "test", "[", "[[", ":", "sleep", "seq", "basename", "dirname", "man", "help", "info", "history", "cd", "pushd", "popd", "dirs",
  "export", "declare", "local", "readonly", "unset", "typeset", "set", "shopt", "read", "wait", "jobs", "exit", "return", "break", "continue",
  "shift", "getopts", "let", "nproc", "arch", "lscpu", "locale", "tput", "clear", "tty", "cal", "factor", "expr", "bc",
  "printenv", "env", "command", "hash", "ulimit", "umask", "times", "logname", "users", "who", "w", "last", "numfmt", "ps",
  "pgrep", "free", "df", "xargs", "parallel", "watch", "time", "nice", "timeout", "nohup", "stdbuf", "exec", "builtin",
  "journalctl", "apt-cache", "dpkg-query", "lsblk", "lsusb", "lspci", "ip", "ss", "netstat", "dig", "host", "nslookup", "ping",
  "hostname", "yes",
]);

/** File-writing commands that are low risk when everything they write is inside the workspace. */
export const WORKSPACE_WRITERS: ReadonlySet<string> = new Set(["tee", "mkdir", "touch", "cp", "mv", "ln", "install", "chmod", "split", "csplit", "patch"]);

/** Commands that download data (for "downloaded code runs" rules). */
export const DOWNLOADERS: ReadonlySet<string> = new Set(["curl", "wget", "fetch", "aria2c", "http", "https", "xh", "lwp-request", "GET", "lynx", "w3m", "ftp", "tftp", "nc", "ncat", "netcat", "socat", "scp", "rsync"]);

/** Programs that execute what they read (shells, interpreters, eval/source). */
export const CODE_RUNNERS: ReadonlySet<string> = new Set([
  "sh", "bash", "zsh", "dash", "ksh", "ksh93", "mksh", "ash", "yash", "posh", "rbash", "fish", "csh", "tcsh", "pwsh",
  "python", "python2", "python3", "pypy", "pypy3", "perl", "ruby", "node", "nodejs", "deno", "bun", "php", "lua", "luajit",
  "Rscript", "R", "tclsh", "osascript", "eval", "source", ".",
]);

/** Programs that talk to the network. */
export const NETWORK_COMMANDS: ReadonlySet<string> = new Set([
  "curl", "wget", "fetch", "aria2c", "http", "https", "xh", "lwp-request", "GET", "POST", "lynx", "w3m", "ftp", "tftp", "sftp",
  "scp", "rsync", "ssh", "nc", "ncat", "netcat", "socat", "telnet", "rclone", "s3cmd", "aws", "gcloud", "az", "gsutil",
]);

/** Raw socket tools: anything can flow in or out. */
export const RAW_SOCKET_COMMANDS: ReadonlySet<string> = new Set(["nc", "ncat", "netcat", "socat", "telnet", "cryptcat", "pwncat"]);

/** Privilege-changing programs; as wrappers or on their own. */
export const PRIVILEGE_COMMANDS: ReadonlySet<string> = new Set(["sudo", "doas", "su", "pkexec", "runuser", "chroot", "sudoedit", "setpriv", "capsh", "nsenter", "unshare"]);

/**
 * Developer tools: risk by subcommand. `low` lists subcommands that stay low; `high` lists the
 * dangerous ones; anything else (or no subcommand) gets `otherwise`.
 */
export interface ToolPolicy {
  low?: readonly string[];
  high?: readonly string[];
  otherwise: RiskLevel;
  /** Why `otherwise`/`high` is not low. */
  why: string;
}

const NPM_HIGH = ["publish", "unpublish", "deprecate", "owner", "adduser", "login", "logout", "token", "access", "dist-tag", "team", "hook", "star", "org"];
const NPM_LOW = ["test", "t", "tst", "run", "run-script", "rum", "urn", "start", "stop", "restart", "ls", "list", "ll", "la", "outdated", "view", "info", "show", "help", "explain", "why", "prefix", "root", "bin", "config", "pkg", "query", "-v", "--version", "fund", "doctor", "pack", "exec"];

/** Build, test and lint tools a project installs locally: `npx <tool>` runs the project's own copy. */
const NPX_LOCAL_TOOLS = ["tsc", "tsx", "vitest", "jest", "mocha", "eslint", "prettier", "biome", "playwright", "vite", "next", "esbuild", "rollup", "webpack", "ts-node", "nx", "turbo", "stylelint", "depcheck", "knip", "c8", "nyc"];

export const DEV_TOOLS: Readonly<Record<string, ToolPolicy>> = {
  npx: { low: NPX_LOCAL_TOOLS, otherwise: "medium", why: "downloads and runs a package that may not be installed" },
  make: { otherwise: "low", why: "" },
  gmake: { otherwise: "low", why: "" },
  cmake: { otherwise: "low", why: "" },
  ninja: { otherwise: "low", why: "" },
  meson: { otherwise: "low", why: "" },
  tsc: { otherwise: "low", why: "" },
  tsx: { otherwise: "low", why: "" },
  vitest: { otherwise: "low", why: "" },
  jest: { otherwise: "low", why: "" },
  mocha: { otherwise: "low", why: "" },
  eslint: { otherwise: "low", why: "" },
  prettier: { otherwise: "low", why: "" },
  biome: { otherwise: "low", why: "" },
  ruff: { otherwise: "low", why: "" },
  black: { otherwise: "low", why: "" },
  flake8: { otherwise: "low", why: "" },
  mypy: { otherwise: "low", why: "" },
  pylint: { otherwise: "low", why: "" },
  pytest: { otherwise: "low", why: "" },
  tox: { otherwise: "low", why: "" },
  nox: { otherwise: "low", why: "" },
  gcc: { otherwise: "low", why: "" },
  "g++": { otherwise: "low", why: "" },
  cc: { otherwise: "low", why: "" },
  "c++": { otherwise: "low", why: "" },
  clang: { otherwise: "low", why: "" },
  "clang++": { otherwise: "low", why: "" },
  rustc: { otherwise: "low", why: "" },
  rustfmt: { otherwise: "low", why: "" },
  javac: { otherwise: "low", why: "" },
  gofmt: { otherwise: "low", why: "" },
  shellcheck: { otherwise: "low", why: "" },
  node: { otherwise: "low", why: "" },
  nodejs: { otherwise: "low", why: "" },
  python: { otherwise: "low", why: "" },
  python3: { otherwise: "low", why: "" },
  npm: { low: NPM_LOW, high: NPM_HIGH, otherwise: "medium", why: "installs or changes packages (runs their install scripts)" },
  pnpm: { low: [...NPM_LOW, "lint", "build", "dev"], high: NPM_HIGH, otherwise: "medium", why: "installs or changes packages (runs their install scripts)" },
  yarn: { low: [...NPM_LOW, "lint", "build", "dev", "why", "workspaces"], high: [...NPM_HIGH, "npm"], otherwise: "medium", why: "installs or changes packages (runs their install scripts)" },
  bun: { low: ["test", "run", "build", "x"], high: ["publish"], otherwise: "medium", why: "installs or changes packages" },
  cargo: { low: ["build", "b", "test", "t", "check", "c", "run", "r", "fmt", "clippy", "doc", "d", "bench", "tree", "metadata", "clean", "new", "init", "version", "help", "--version", "-V", "nextest", "expand", "locate-project", "verify-project", "pkgid", "vendor"], high: ["publish", "yank", "owner", "login", "logout"], otherwise: "medium", why: "installs or fetches crates" },
  go: { low: ["build", "test", "vet", "fmt", "run", "env", "version", "list", "doc", "help", "tool", "work"], otherwise: "medium", why: "downloads or installs modules, or runs generators" },
  pip: { low: ["list", "show", "freeze", "check", "help", "--version", "-V", "config", "debug", "inspect", "index", "hash", "cache"], otherwise: "medium", why: "installs or removes Python packages" },
  pip3: { low: ["list", "show", "freeze", "check", "help", "--version", "-V", "config", "debug", "inspect", "index", "hash", "cache"], otherwise: "medium", why: "installs or removes Python packages" },
  uv: { low: ["run", "sync", "lock", "tree", "version", "help", "build"], high: ["publish"], otherwise: "medium", why: "installs or changes packages" },
  poetry: { low: ["run", "build", "check", "show", "lock", "env", "version", "config"], high: ["publish"], otherwise: "medium", why: "installs or changes packages" },
  mvn: { low: ["compile", "test", "package", "verify", "clean", "validate", "-v", "--version"], high: ["deploy", "release:perform"], otherwise: "medium", why: "runs Maven goals that may install or deploy" },
  gradle: { low: ["build", "test", "check", "assemble", "clean", "tasks", "dependencies", "--version"], high: ["publish"], otherwise: "medium", why: "runs Gradle tasks that may publish" },
  dotnet: { low: ["build", "test", "run", "format", "clean", "restore", "--version", "--info"], high: ["nuget"], otherwise: "medium", why: "changes .NET tooling or packages" },
  deno: { low: ["test", "fmt", "lint", "check", "doc", "info", "bench", "task"], otherwise: "medium", why: "runs code with the permissions it asks for" },
  swift: { low: ["build", "test", "run", "package"], otherwise: "medium", why: "" },
  rustup: { low: ["show", "--version", "which", "doc"], otherwise: "medium", why: "changes the installed toolchains" },
  docker: { low: ["ps", "images", "version", "info", "logs", "inspect", "--version", "stats", "top", "port", "diff", "history", "search"], otherwise: "high", why: "the container engine has root-equivalent access to the host" },
  podman: { low: ["ps", "images", "version", "info", "logs", "inspect", "--version"], otherwise: "high", why: "runs containers" },
  kubectl: { low: ["get", "describe", "logs", "version", "explain", "api-resources", "api-versions", "top", "diff", "auth"], otherwise: "high", why: "changes a Kubernetes cluster" },
  helm: { low: ["list", "ls", "status", "get", "show", "search", "template", "lint", "version", "history"], otherwise: "high", why: "changes a Kubernetes cluster" },
  terraform: { low: ["fmt", "validate", "plan", "show", "version", "output", "graph", "providers"], high: ["apply", "destroy", "import", "state", "taint", "untaint", "force-unlock"], otherwise: "medium", why: "changes infrastructure or downloads providers" },
  apt: { low: ["list", "search", "show", "policy", "depends", "rdepends", "--version"], otherwise: "high", why: "changes system packages" },
  "apt-get": { low: ["check", "--version", "changelog"], otherwise: "high", why: "changes system packages" },
  dnf: { low: ["list", "search", "info", "repolist", "--version"], otherwise: "high", why: "changes system packages" },
  yum: { low: ["list", "search", "info", "repolist", "--version"], otherwise: "high", why: "changes system packages" },
  pacman: { low: ["-Q", "-Qi", "-Ql", "-Ss", "-Si", "--version"], otherwise: "high", why: "changes system packages" },
  zypper: { low: ["search", "se", "info", "if", "list-updates", "lu"], otherwise: "high", why: "changes system packages" },
  apk: { low: ["info", "search", "list", "--version"], otherwise: "high", why: "changes system packages" },
  snap: { low: ["list", "find", "info", "version"], otherwise: "high", why: "changes system packages" },
  flatpak: { low: ["list", "search", "info", "--version"], otherwise: "high", why: "changes installed applications" },
  dpkg: { low: ["-l", "-L", "-s", "-S", "--list", "--listfiles", "--status", "--search", "--version", "--print-architecture"], otherwise: "high", why: "changes system packages" },
  brew: { low: ["list", "ls", "search", "info", "--version", "config", "doctor", "outdated", "deps", "leaves"], otherwise: "medium", why: "installs or changes packages" },
  gem: { low: ["list", "search", "info", "env", "--version", "which", "contents", "specification"], high: ["push", "yank", "owner", "signin"], otherwise: "medium", why: "installs or changes Ruby gems" },
};
