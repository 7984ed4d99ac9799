/** Rules: remote code execution, exfiltration, credential access, network use. */
import { CODE_RUNNERS, DOWNLOADERS, NETWORK_COMMANDS, RAW_SOCKET_COMMANDS } from "../command-sets.js";
import { isRemoteSpec, writtenPaths } from "../file-effects.js";
import type { RiskRule } from "../rule-types.js";
import type { LineView, SegmentView } from "../segment-view.js";
import { firstPath } from "./files.js";

/** curl/wget options whose value is a file to upload (`@file`), or that upload outright. */
const CURL_DATA_OPTIONS = new Set(["-d", "--data", "--data-binary", "--data-ascii", "--data-urlencode", "--json"]);
const CURL_UPLOAD_OPTIONS = new Set(["-T", "--upload-file"]);
const CURL_FORM_OPTIONS = new Set(["-F", "--form"]);
const WGET_UPLOAD_OPTIONS = new Set(["--post-file", "--body-file"]);
const REMOTE_SHELLS = new Set(["ssh", "mosh", "rsh", "rlogin", "autossh", "sshpass"]);
const REMOTE_COPY = new Set(["scp", "sftp", "rsync", "rclone", "s3cmd", "gsutil"]);
const DEV_NET_RE = /^\/dev\/(tcp|udp)\//;

const isDownloader = (v: SegmentView): boolean => DOWNLOADERS.has(v.name);
const isCodeRunner = (v: SegmentView): boolean => CODE_RUNNERS.has(v.name) || /^(python|pypy)[0-9.]*$/.test(v.name);

/** Option values of a curl/wget call, one entry per (option, value). */
function optionPairs(v: SegmentView): { option: string; value: string }[] {
  const pairs: { option: string; value: string }[] = [];
  for (let i = 0; i < v.args.length; i++) {
    const arg = v.args[i] as string;
    if (arg.startsWith("--") && arg.includes("=")) {
      const eq = arg.indexOf("=");
      pairs.push({ option: arg.slice(0, eq), value: arg.slice(eq + 1) });
    } else if (arg.startsWith("--")) pairs.push({ option: arg, value: v.args[i + 1] ?? "" });
    else if (/^-[A-Za-z]$/.test(arg)) pairs.push({ option: arg, value: v.args[i + 1] ?? "" });
    else if (/^-[A-Za-z]./.test(arg)) pairs.push({ option: arg.slice(0, 2), value: arg.slice(2) });
  }
  return pairs;
}

function uploadDetail(v: SegmentView): string | undefined {
  if (v.name === "curl") {
    for (const { option, value } of optionPairs(v)) {
      if (CURL_UPLOAD_OPTIONS.has(option)) return `${option} ${value}`;
      if (CURL_DATA_OPTIONS.has(option) && /^([^=]*=)?@/.test(value)) return `${option} ${value}`;
      if (CURL_FORM_OPTIONS.has(option) && /=[@<]/.test(value)) return `${option} ${value}`;
    }
  }
  if (v.name === "wget") return optionPairs(v).find((p) => WGET_UPLOAD_OPTIONS.has(p.option))?.option;
  return undefined;
}

/** Files a segment downloads to (curl -o F, wget -O F), for "download then run". */
function downloadTargets(v: SegmentView): string[] {
  if (v.name !== "curl" && v.name !== "wget") return [];
  return writtenPaths(v)
    .map((p) => p.abs)
    .filter((p): p is string => p !== undefined);
}

function credentialDetail(v: SegmentView): string | undefined {
  return firstPath([...v.mentionedPaths, ...v.redirectReads], (p) => p.credential);
}

function runsFile(v: SegmentView, file: string): boolean {
  const direct = v.segment.argv[0] !== undefined && v.path(v.segment.argv[0]).abs === file && v.segment.argv[0].includes("/");
  const viaRunner = isCodeRunner(v) && v.operandPaths.some((p) => p.abs === file);
  const madeExecutable = v.name === "chmod" && v.operandPaths.some((p) => p.abs === file);
  return direct || viaRunner || madeExecutable;
}

function downloadedThenRun(v: SegmentView, line: LineView): string | undefined {
  const index = line.views.indexOf(v);
  for (const earlier of line.views.slice(0, index)) {
    const file = downloadTargets(earlier).find((f) => runsFile(v, f));
    if (file) return file;
  }
  return undefined;
}

export const NETWORK_RULES: readonly RiskRule[] = [
  {
    id: "pipe-download-to-shell",
    family: "remote-code",
    risk: "critical",
    reason: "pipes downloaded data into a program that runs it",
    applies: (v, line) => isCodeRunner(v) && line.upstream(v).find(isDownloader)?.name,
  },
  {
    id: "run-substituted-download",
    family: "remote-code",
    risk: "critical",
    reason: "runs code produced by a download (bash <(curl …), sh -c \"$(curl …)\")",
    applies: (v, line) => isDownloader(v) && line.ancestors(v).find(isCodeRunner)?.name,
  },
  {
    id: "run-downloaded-file",
    family: "remote-code",
    risk: "critical",
    reason: "runs a file downloaded earlier in the line",
    applies: (v, line) => downloadedThenRun(v, line),
  },
  {
    id: "upload-file",
    family: "exfiltration",
    risk: "high",
    reason: "uploads a local file",
    applies: (v) => uploadDetail(v),
  },
  {
    id: "raw-socket",
    family: "exfiltration",
    risk: "high",
    reason: "opens a raw network connection",
    applies: (v) => (RAW_SOCKET_COMMANDS.has(v.name) ? v.name : firstPath([...v.redirectWrites, ...v.redirectReads], (p) => DEV_NET_RE.test(p.abs ?? ""))),
  },
  {
    id: "remote-shell",
    family: "exfiltration",
    risk: "high",
    reason: "runs commands on (or opens a session to) another host",
    applies: (v) => REMOTE_SHELLS.has(v.name),
  },
  {
    id: "remote-copy",
    family: "exfiltration",
    risk: "high",
    reason: "copies files to or from another host",
    applies: (v) => REMOTE_COPY.has(v.name) && (v.name === "sftp" || v.name === "rclone" || v.name === "s3cmd" || v.name === "gsutil" || v.operands.find(isRemoteSpec)),
  },
  {
    id: "credential-path",
    family: "exfiltration",
    risk: "high",
    reason: "touches a credential or key file",
    applies: (v) => credentialDetail(v),
  },
  {
    id: "credential-to-network",
    family: "exfiltration",
    risk: "critical",
    reason: "sends credential files over the network",
    applies: (v, line) => {
      if (!NETWORK_COMMANDS.has(v.name) && !RAW_SOCKET_COMMANDS.has(v.name)) return false;
      if (credentialDetail(v)) return credentialDetail(v);
      return line.upstream(v).map(credentialDetail).find((d) => d !== undefined);
    },
  },
  {
    id: "secret-file",
    family: "exfiltration",
    risk: "medium",
    reason: "touches a file that usually holds secrets",
    applies: (v) => firstPath([...v.mentionedPaths, ...v.redirectReads], (p) => p.secretFile),
  },
  {
    id: "network-access",
    family: "network",
    risk: "medium",
    reason: "accesses the network",
    applies: (v) => NETWORK_COMMANDS.has(v.name) && v.name,
  },
];
