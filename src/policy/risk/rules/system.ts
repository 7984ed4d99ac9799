/** Rules: privilege, system state, kernel, services, packages and developer tools, environment. */
import { DEV_TOOLS, PRIVILEGE_COMMANDS } from "../command-sets.js";
import type { RiskRule } from "../rule-types.js";
import type { LineView, SegmentView } from "../segment-view.js";

const POWER_COMMANDS = new Set(["shutdown", "reboot", "halt", "poweroff", "kexec", "systemctl-poweroff"]);
const SYSTEMCTL_POWER_VERBS = new Set(["poweroff", "reboot", "halt", "kexec", "suspend", "hibernate", "hybrid-sleep", "emergency", "rescue", "isolate", "default", "soft-reboot"]);
const SYSTEMCTL_READ_VERBS = new Set(["status", "list-units", "list-unit-files", "list-timers", "list-sockets", "list-dependencies", "show", "cat", "is-active", "is-enabled", "is-failed", "is-system-running", "--version", "help"]);
const FIREWALL_COMMANDS = new Set(["iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "iptables-legacy", "nft", "ufw", "firewall-cmd", "pfctl", "ebtables", "arptables"]);
const FIREWALL_READ_FLAGS = ["-L", "--list", "-S", "--list-rules", "status", "list"];
const USER_ADMIN = new Set(["useradd", "userdel", "usermod", "adduser", "deluser", "groupadd", "groupdel", "groupmod", "passwd", "chpasswd", "chage", "visudo", "vipw", "setcap", "chattr", "newusers", "gpasswd"]);
const KERNEL_COMMANDS = new Set(["modprobe", "insmod", "rmmod", "depmod", "kexec", "grub-install", "update-grub", "efibootmgr", "bootctl", "dracut", "mkinitramfs", "update-initramfs"]);
const LOADER_VARIABLES_RE = /^(LD_PRELOAD|LD_LIBRARY_PATH|LD_AUDIT|DYLD_[A-Z_]+|NODE_OPTIONS|PYTHONSTARTUP|PERL5OPT|RUBYOPT|BASH_FUNC_.*|GCONV_PATH)=/;
const SIGNAL_OPTION_RE = /^-(\d+|[A-Z][A-Z0-9+-]*|s|n)$/;

/** The subcommand of a dev tool: the first operand (or the first arg for option-style tools like pacman). */
function toolSubcommand(v: SegmentView): string | undefined {
  const first = v.args[0];
  if (first !== undefined && (first.startsWith("-") && (v.name === "pacman" || v.name === "dpkg" || first === "--version" || first === "-v" || first === "-V"))) return first;
  return v.operands[0];
}

function toolRisk(v: SegmentView): "low" | "medium" | "high" | "critical" | undefined {
  const policy = DEV_TOOLS[v.name];
  if (!policy) return undefined;
  const sub = toolSubcommand(v);
  if (sub !== undefined && policy.high?.includes(sub)) return "high";
  if (sub !== undefined && policy.low?.includes(sub)) return "low";
  return policy.otherwise;
}

/** `env | grep NODE_ENV`: the next pipeline stage keeps only lines matching a pattern, so not every variable is shown. */
function filteredByGrep(v: SegmentView, line: LineView): boolean {
  const pipe = v.segment.pipeline;
  if (!pipe) return false;
  const next = line.pipelineMembers(v).find((m) => m.segment.pipeline?.index === pipe.index + 1 && m.segment.parentId === v.segment.parentId);
  if (!next || !["grep", "egrep", "fgrep", "rg"].includes(next.name)) return false;
  return next.operands.length > 0 && !next.args.some((a) => a === "-v" || a === "--invert-match" || /^-[a-zA-Z]*v/.test(a));
}

/** kill's pid operands, with signal options removed (`kill -9 -1` -> ["-1"]). */
function killTargets(v: SegmentView): string[] {
  const targets: string[] = [];
  let options = true;
  for (let i = 0; i < v.args.length; i++) {
    const arg = v.args[i] as string;
    if (options && arg === "--") {
      options = false;
      continue;
    }
    if (options && (arg === "-s" || arg === "-n")) {
      i += 1;
      continue;
    }
    // the first `-N` is a signal; a later `-1` is a process group / all processes
    if (options && targets.length === 0 && SIGNAL_OPTION_RE.test(arg) && i + 1 < v.args.length) continue;
    targets.push(arg);
  }
  return targets;
}

export const SYSTEM_RULES: readonly RiskRule[] = [
  {
    id: "privilege",
    family: "privilege",
    risk: "high",
    reason: "runs with changed privileges",
    applies: (v) => v.segment.wrappers.find((w) => PRIVILEGE_COMMANDS.has(w)) ?? (PRIVILEGE_COMMANDS.has(v.name) ? v.name : undefined),
  },
  {
    id: "user-admin",
    family: "privilege",
    risk: "high",
    reason: "administers users, groups, passwords or file capabilities",
    applies: (v) => USER_ADMIN.has(v.name),
  },
  {
    id: "power",
    family: "system-state",
    risk: "critical",
    reason: "shuts down or reboots the machine",
    applies: (v) =>
      POWER_COMMANDS.has(v.name) ||
      ((v.name === "init" || v.name === "telinit") && ["0", "6", "1", "s", "S"].includes(v.args[0] ?? "")) ||
      (v.name === "systemctl" && v.operands.some((o) => SYSTEMCTL_POWER_VERBS.has(o))),
  },
  {
    id: "kill-all-processes",
    family: "system-state",
    risk: "critical",
    reason: "signals every process (pid -1) or init (pid 1)",
    applies: (v) => (v.name === "kill" && killTargets(v).some((t) => t === "-1" || t === "1")) || v.name === "killall5",
  },
  {
    id: "kill-by-name",
    family: "system-state",
    risk: "high",
    reason: "kills processes by name",
    applies: (v) => v.name === "killall" || v.name === "pkill" || v.name === "xkill",
  },
  {
    id: "kill",
    family: "system-state",
    risk: "medium",
    reason: "signals a process",
    applies: (v) => v.name === "kill" && !v.args.includes("-l") && !v.args.includes("-L"),
  },
  {
    id: "service-control",
    family: "system-state",
    risk: "high",
    reason: "starts, stops or reconfigures system services",
    applies: (v) => {
      if (v.name === "systemctl") {
        const verb = v.operands[0];
        return verb !== undefined && !SYSTEMCTL_READ_VERBS.has(verb) && verb;
      }
      return ["service", "launchctl", "rc-service", "update-rc.d", "chkconfig"].includes(v.name);
    },
  },
  {
    id: "service-query",
    family: "system-state",
    risk: "medium",
    reason: "queries system services",
    applies: (v) => v.name === "systemctl",
  },
  {
    id: "firewall",
    family: "system-state",
    risk: "high",
    reason: "changes firewall rules",
    applies: (v) => FIREWALL_COMMANDS.has(v.name) && !v.args.some((a) => FIREWALL_READ_FLAGS.includes(a)),
  },
  {
    id: "firewall-read",
    family: "system-state",
    risk: "medium",
    reason: "reads firewall rules",
    applies: (v) => FIREWALL_COMMANDS.has(v.name),
  },
  {
    id: "crontab",
    family: "system-state",
    risk: "high",
    reason: "changes scheduled jobs",
    applies: (v) => (v.name === "crontab" && !(v.args.length === 1 && v.args[0] === "-l")) || v.name === "at" || v.name === "batch" || v.name === "systemd-run",
  },
  {
    id: "crontab-list",
    family: "system-state",
    risk: "medium",
    reason: "lists scheduled jobs",
    applies: (v) => v.name === "crontab",
  },
  {
    id: "kernel",
    family: "system-state",
    risk: "critical",
    reason: "changes kernel modules or the boot loader",
    applies: (v) => KERNEL_COMMANDS.has(v.name),
  },
  {
    id: "sysctl-write",
    family: "system-state",
    risk: "high",
    reason: "changes kernel parameters",
    applies: (v) => v.name === "sysctl" && (v.has("-w", "-p", "--write", "--load", "--system") || v.operands.some((o) => o.includes("="))),
  },
  {
    id: "network-config",
    family: "system-state",
    risk: "high",
    reason: "changes network configuration",
    applies: (v) =>
      (v.name === "ip" && v.operands.some((o) => ["add", "del", "delete", "set", "flush", "change", "replace", "append"].includes(o))) ||
      (v.name === "ifconfig" && v.operands.length > 1) ||
      (v.name === "route" && v.operands.some((o) => o === "add" || o === "del")) ||
      v.name === "ifup" ||
      v.name === "ifdown" ||
      (v.name === "nmcli" && v.operands.some((o) => ["modify", "delete", "down", "up", "add", "off"].includes(o))),
  },
  {
    id: "system-settings",
    family: "system-state",
    risk: "high",
    reason: "changes system-wide settings",
    applies: (v) =>
      ((v.name === "hostnamectl" || v.name === "timedatectl" || v.name === "localectl") && v.operands.some((o) => o.startsWith("set"))) ||
      v.name === "update-alternatives" ||
      (v.name === "hostname" && v.operands.length > 0) ||
      (v.name === "date" && v.has("-s", "--set")) ||
      v.name === "hwclock" ||
      v.name === "ldconfig",
  },
  {
    id: "dev-tool-high",
    family: "packages",
    risk: "high",
    reason: "publishes, installs system packages or changes infrastructure",
    applies: (v) => toolRisk(v) === "high" && `${v.name} ${toolSubcommand(v) ?? ""}`.trim(),
  },
  {
    id: "dev-tool-medium",
    family: "packages",
    risk: "medium",
    reason: "installs or fetches packages, or runs tool actions beyond build and test",
    applies: (v) => toolRisk(v) === "medium" && `${v.name} ${toolSubcommand(v) ?? ""}`.trim(),
  },
  {
    id: "container-host-access",
    family: "privilege",
    risk: "critical",
    reason: "starts a container with host-level access",
    applies: (v) =>
      (v.name === "docker" || v.name === "podman") &&
      v.args.some((a, i) => a === "--privileged" || /^--(pid|net|network|ipc|userns|uts)=host$/.test(a) || ((a === "-v" || a === "--volume") && /^\/(:|$)|^\/var\/run\/docker\.sock/.test(v.args[i + 1] ?? "")) || /^(-v|--volume=)\/(:|$)/.test(a)),
  },
  {
    id: "loader-environment",
    family: "environment",
    risk: "high",
    reason: "sets a variable that injects code into programs",
    applies: (v) => v.segment.assignments?.find((a) => LOADER_VARIABLES_RE.test(a)) ?? v.args.find((a) => (v.name === "export" || v.name === "declare") && LOADER_VARIABLES_RE.test(a)),
  },
  {
    id: "path-environment",
    family: "environment",
    risk: "medium",
    reason: "changes PATH or IFS, which decide what later commands mean",
    applies: (v) => v.segment.assignments?.find((a) => /^(PATH|IFS)=/.test(a)) ?? v.args.find((a) => (v.name === "export" || v.name === "declare" || v.name === "typeset") && /^(PATH|IFS)=/.test(a)),
  },
  {
    id: "environment-dump",
    family: "exfiltration",
    risk: "medium",
    reason: "prints every environment variable (may include secrets)",
    applies: (v, line) => {
      if (v.name === "env" || v.name === "printenv") return v.operands.length === 0 && !filteredByGrep(v, line);
      if (v.name === "set") return v.args.length === 0;
      return (v.name === "export" || v.name === "declare" || v.name === "typeset") && v.operands.length === 0 && v.args.every((a) => /^-[px]+$/.test(a));
    },
  },
];
