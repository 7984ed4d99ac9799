/**
 * Path classification for risk rules: where a word points (workspace, home, system, a
 * credential, a shell start-up file...) once `~`, `$HOME`, the current directory and
 * `find`'s `{}` are resolved. Unknown paths are treated as outside the workspace.
 */
import { posix } from "node:path";
import type { RiskContext } from "../shell/types.js";

/** Where a path points, as far as static analysis can tell. */
export interface PathInfo {
  raw: string;
  /** Absolute normalised path; undefined when unknowable (variable, substitution, unknown cwd). */
  abs?: string;
  glob: boolean;
  inWorkspace: boolean;
  /** The workspace itself, or a glob over its top level (`rm -rf *`). */
  workspaceRoot: boolean;
  /** `/`, `~`, `/etc`, `/usr`, `.git`, an ancestor of the workspace or home, or a glob directly over one. */
  critical: boolean;
  /** Inside an operating-system directory (/etc, /usr, /boot, /bin, /lib, /var, ...). */
  system: boolean;
  tmp: boolean;
  /** /dev/null, /dev/stdout, /dev/fd/N...: harmless to write. */
  harmlessDevice: boolean;
  /** A disk or memory device (/dev/sda, /dev/nvme0n1, /dev/mem...). */
  blockDevice: boolean;
  /** SSH/cloud/GPG keys, password stores, /etc/shadow... */
  credential: boolean;
  /** `.env` style files that usually hold secrets. */
  secretFile: boolean;
  /** Shell start-up and other files that run code later (persistence). */
  startupFile: boolean;
  /** Inside a `.git` directory (hooks there run code). */
  gitInternal: boolean;
}

/** Where relative paths resolve; `escaped` once a `cd` left the workspace or went somewhere unknown. */
export interface CwdState {
  dir?: string;
  escaped: boolean;
}

const SYSTEM_ROOTS = ["/etc", "/usr", "/boot", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/var", "/opt", "/root", "/sys", "/proc", "/dev", "/srv", "/snap", "/System", "/Library", "/private"];
const CRITICAL_EXACT = new Set(["/", "/home", "/Users", "/mnt", "/media", ...SYSTEM_ROOTS]);
const DEFAULT_TMP_DIRS = ["/tmp", "/var/tmp", "/dev/shm"];
const HARMLESS_DEVICE_RE = /^\/dev\/(null|zero|full|random|urandom|stdin|stdout|stderr|tty|fd\/\d+)$|^\/proc\/self\/fd\/\d+$/;
const BLOCK_DEVICE_RE = /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|md|dm-|loop|sr|disk\/|mapper\/|mem$|kmem$|port$|nbd|zram)/;
const CREDENTIAL_DIRS = new Set([".ssh", ".aws", ".gnupg", ".azure", ".password-store", ".kube", ".docker", ".vault-token", ".gcloud"]);
const CREDENTIAL_FILES = new Set([".netrc", ".git-credentials", ".pgpass", ".pypirc", ".npmrc", ".vault-token", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk", ".bash_history", ".zsh_history", ".psql_history", ".mysql_history", "credentials.json", "service-account.json"]);
const CREDENTIAL_ABSOLUTE_RE = /^\/etc\/(shadow|gshadow|sudoers|master\.passwd|ssh\/ssh_host_[^/]*key)(\/|$|-)|^\/etc\/sudoers\.d(\/|$)|^\/proc\/[^/]+\/(environ|mem)$|^\/root(\/|$)|^\/var\/lib\/docker(\/|$)/;
const CREDENTIAL_HOME_RELATIVE_RE = /^\.config\/(gcloud|gh|hub|op|doctl|rclone)(\/|$)/;
const SECRET_FILE_RE = /^\.env(\.(?!example$|sample$|template$|dist$)[^/]+)?$|\.(pem|key|p12|pfx|keystore|jks)$/;
const STARTUP_BASENAMES = new Set([".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zshenv", ".zprofile", ".zlogin", ".zlogout", ".kshrc", ".mkshrc", ".cshrc", ".tcshrc", ".xprofile", ".xinitrc", ".xsession", ".inputrc", ".gitconfig", ".curlrc", ".wgetrc"]);
const STARTUP_HOME_RELATIVE_RE = /^(\.config\/(fish\/|autostart\/|systemd\/user\/|environment\.d\/|git\/config$)|\.ssh\/(rc|authorized_keys2?|config)$|\.local\/share\/systemd\/|\.pam_environment$)/;
const STARTUP_ABSOLUTE_RE = /^\/etc\/(profile|profile\.d|bash\.bashrc|bashrc|zsh|zshrc|zprofile|zshenv|environment|rc\.local|cron[^/]*|crontab|init\.d|systemd|ld\.so\.preload|sudoers|security|pam\.d|ssh\/sshd_config)(\/|$)|^\/var\/spool\/cron(\/|$)|^\/(usr\/)?lib\/systemd(\/|$)/;

/**
 * Resolves one word to a path and classifies it.
 * @example classifyPath("~/.ssh/id_rsa", false, { dir: "/w", escaped: false }, { workspace: "/w", home: "/h" }).credential // true
 */
export function classifyPath(raw: string, dynamic: boolean, cwd: CwdState, ctx: RiskContext): PathInfo {
  const abs = resolvePath(raw, dynamic, cwd, ctx);
  const glob = /[*?[]/.test(raw);
  const info: PathInfo = {
    raw,
    glob,
    inWorkspace: false,
    workspaceRoot: false,
    critical: false,
    system: false,
    tmp: false,
    harmlessDevice: false,
    blockDevice: false,
    credential: false,
    secretFile: false,
    startupFile: false,
    gitInternal: false,
  };
  // the basename still tells something even when the directory is unknown ($DIR/.env, $X/id_rsa)
  const base = raw.slice(raw.lastIndexOf("/") + 1);
  info.secretFile = SECRET_FILE_RE.test(base);
  info.credential = CREDENTIAL_FILES.has(base) || raw.split("/").some((part) => CREDENTIAL_DIRS.has(part));
  if (abs === undefined) return info;
  info.abs = abs;
  const { workspace, home, tmpDirs } = resolvedContext(ctx);
  const globDir = glob ? posix.dirname(stripGlobTail(abs)) : undefined;
  info.inWorkspace = isInside(abs, workspace);
  info.workspaceRoot = abs === workspace || globDir === workspace;
  // A workspace may itself live under /tmp or /srv: inside it, a path is the workspace's, nothing else.
  info.system = !info.inWorkspace && SYSTEM_ROOTS.some((root) => isInside(abs, root)) && !isInside(abs, "/var/tmp");
  info.tmp = !info.inWorkspace && tmpDirs.some((dir) => isInside(abs, dir));
  info.harmlessDevice = HARMLESS_DEVICE_RE.test(abs);
  info.blockDevice = BLOCK_DEVICE_RE.test(abs);
  const isProtectedAncestor = (p: string): boolean => (p !== workspace && isInside(workspace, p)) || isInside(home, p);
  info.critical =
    CRITICAL_EXACT.has(abs) ||
    isProtectedAncestor(abs) ||
    (globDir !== undefined && (CRITICAL_EXACT.has(globDir) || isProtectedAncestor(globDir))) ||
    posix.basename(abs) === ".git";
  info.gitInternal = abs.split("/").includes(".git");
  const homeRelative = isInside(abs, home) && abs !== home ? abs.slice(home.length + 1) : undefined;
  info.credential ||= CREDENTIAL_ABSOLUTE_RE.test(abs) || (homeRelative !== undefined && CREDENTIAL_HOME_RELATIVE_RE.test(homeRelative));
  info.startupFile =
    STARTUP_ABSOLUTE_RE.test(abs) ||
    (homeRelative !== undefined && ((STARTUP_BASENAMES.has(homeRelative) && !homeRelative.includes("/")) || STARTUP_HOME_RELATIVE_RE.test(homeRelative)));
  return info;
}

const resolvedContexts = new WeakMap<RiskContext, { workspace: string; home: string; tmpDirs: string[] }>();

/** The context's directories, resolved once per context object (classifyPath is hot). */
function resolvedContext(ctx: RiskContext): { workspace: string; home: string; tmpDirs: string[] } {
  let resolved = resolvedContexts.get(ctx);
  if (!resolved) {
    resolved = { workspace: posix.resolve(ctx.workspace), home: posix.resolve(ctx.home), tmpDirs: (ctx.tmpDirs ?? DEFAULT_TMP_DIRS).map((d) => posix.resolve(d)) };
    resolvedContexts.set(ctx, resolved);
  }
  return resolved;
}

/**
 * The absolute path a word names, or undefined when it cannot be known statically.
 * @example resolvePath("~/p", false, { dir: "/w", escaped: false }, { workspace: "/w", home: "/h" }) // "/h/p"
 */
export function resolvePath(raw: string, dynamic: boolean, cwd: CwdState, ctx: RiskContext): string | undefined {
  let path = raw;
  if (dynamic) {
    const home = /^(\$HOME|\$\{HOME\})(?=\/|$)/.exec(path);
    if (!home) return undefined;
    path = ctx.home + path.slice(home[0].length);
    if (/[$`]/.test(path)) return undefined;
  }
  if (path === "~" || path.startsWith("~/")) path = ctx.home + path.slice(1);
  else if (path.startsWith("~")) {
    const slash = path.indexOf("/");
    const user = path.slice(1, slash < 0 ? undefined : slash);
    path = (user === "root" ? "/root" : `/home/${user}`) + (slash < 0 ? "" : path.slice(slash));
  }
  if (path.startsWith("/")) return posix.resolve(path);
  if (cwd.dir === undefined) return undefined;
  return posix.resolve(cwd.dir, path);
}

/** Whether `path` is `dir` or below it. */
export function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === "/" ? "/" : `${dir}/`);
}

function stripGlobTail(abs: string): string {
  const firstGlob = abs.search(/[*?[]/);
  const cut = abs.lastIndexOf("/", firstGlob);
  return `${abs.slice(0, cut + 1)}x`;
}
