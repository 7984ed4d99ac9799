/** Rules: destructive file operations, writes outside the workspace, start-up files, disks. */
import { deletedPaths, writtenPaths } from "../file-effects.js";
import type { PathInfo } from "../paths.js";
import type { RiskRule } from "../rule-types.js";
import type { SegmentView } from "../segment-view.js";

/** The first path matching `test`, as a detail string for the reason. */
export function firstPath(paths: PathInfo[], test: (p: PathInfo) => boolean): string | undefined {
  const hit = paths.find(test);
  return hit ? hit.raw : undefined;
}

const isRecursive = (v: SegmentView): boolean => v.has("-r", "-R", "--recursive");
const PERMISSION_COMMANDS = new Set(["chmod", "chown", "chgrp", "setfacl"]);
const DEV_TCP_RE = /^\/dev\/(tcp|udp)\//;
/** Numeric modes with setuid/setgid (4xxx, 2xxx, 6xxx) and symbolic `+s`. */
const SETUID_MODE_RE = /^0?[2-7][0-7]{3}$|^[ugoa]*[+=][rwxXt]*s/;

const outsideWorkspace = (p: PathInfo): boolean => !p.inWorkspace && !p.tmp && !p.harmlessDevice;

export const FILE_RULES: readonly RiskRule[] = [
  {
    id: "delete-critical-path",
    family: "critical-paths",
    risk: "critical",
    reason: "deletes a critical path",
    applies: (v) => (v.name === "rm" && v.has("--no-preserve-root") ? "--no-preserve-root" : firstPath(deletedPaths(v), (p) => p.critical)),
  },
  {
    id: "delete-system-path",
    family: "critical-paths",
    risk: "critical",
    reason: "deletes files in a system directory",
    applies: (v) => firstPath(deletedPaths(v), (p) => p.system && !p.harmlessDevice),
  },
  {
    id: "delete-outside-workspace",
    family: "destructive-files",
    risk: "high",
    reason: "deletes files outside the workspace (or at a path only known at run time)",
    applies: (v) => firstPath(deletedPaths(v), outsideWorkspace),
  },
  {
    id: "delete-workspace-root",
    family: "destructive-files",
    risk: "high",
    reason: "deletes the whole workspace",
    applies: (v) => firstPath(deletedPaths(v), (p) => p.workspaceRoot),
  },
  {
    id: "delete-in-workspace",
    family: "destructive-files",
    risk: "medium",
    reason: "deletes files",
    applies: (v) => firstPath(deletedPaths(v), () => true),
  },
  {
    id: "shred",
    family: "destructive-files",
    risk: "high",
    reason: "irrecoverably overwrites files",
    applies: (v) => v.name === "shred" || v.name === "srm" || v.name === "wipe",
  },
  {
    id: "truncate",
    family: "destructive-files",
    risk: "medium",
    reason: "truncates files",
    applies: (v) => v.name === "truncate",
  },
  {
    id: "write-block-device",
    family: "disk",
    risk: "critical",
    reason: "writes to a disk or memory device",
    applies: (v) => firstPath(writtenPaths(v), (p) => p.blockDevice),
  },
  {
    id: "write-system-path",
    family: "critical-paths",
    risk: "critical",
    reason: "writes into a system directory",
    applies: (v) => firstPath(writtenPaths(v), (p) => (p.system || p.critical) && !p.harmlessDevice && !p.blockDevice && !DEV_TCP_RE.test(p.abs ?? "")),
  },
  {
    id: "write-startup-file",
    family: "startup-files",
    risk: "high",
    reason: "writes a shell start-up or other auto-run file",
    applies: (v) => firstPath(writtenPaths(v), (p) => p.startupFile),
  },
  {
    id: "write-git-internals",
    family: "critical-paths",
    risk: "high",
    reason: "writes inside .git (hooks and config there run code)",
    applies: (v) => firstPath(writtenPaths(v), (p) => p.gitInternal),
  },
  {
    id: "write-outside-workspace",
    family: "destructive-files",
    risk: "high",
    reason: "writes an existing file outside the workspace (or a path only known at run time)",
    applies: (v) => firstPath(writtenPaths(v), (p) => outsideWorkspace(p) && !DEV_TCP_RE.test(p.abs ?? "") && (p.abs === undefined || !v.ctx.pathExists || v.ctx.pathExists(p.abs))),
  },
  {
    id: "write-new-file-outside-workspace",
    family: "destructive-files",
    risk: "medium",
    reason: "creates a file outside the workspace",
    applies: (v) => firstPath(writtenPaths(v), (p) => outsideWorkspace(p) && p.abs !== undefined && !!v.ctx.pathExists && !v.ctx.pathExists(p.abs)),
  },
  {
    id: "write-temp",
    family: "destructive-files",
    risk: "medium",
    reason: "writes in a shared temporary directory",
    applies: (v) => firstPath(writtenPaths(v), (p) => p.tmp),
  },
  {
    id: "permissions-recursive-system",
    family: "privilege",
    risk: "critical",
    reason: "recursively changes ownership or permissions of a system path",
    applies: (v) => PERMISSION_COMMANDS.has(v.name) && isRecursive(v) && firstPath(v.operandPaths, (p) => p.system || p.critical),
  },
  {
    id: "permissions-outside-workspace",
    family: "privilege",
    risk: "high",
    reason: "changes ownership or permissions outside the workspace",
    applies: (v) => PERMISSION_COMMANDS.has(v.name) && firstPath(v.operandPaths.slice(v.name === "setfacl" ? 0 : 1), outsideWorkspace),
  },
  {
    id: "setuid-bit",
    family: "privilege",
    risk: "high",
    reason: "sets the setuid/setgid bit",
    applies: (v) => v.name === "chmod" && v.args.some((a) => a.split(",").some((m) => SETUID_MODE_RE.test(m))),
  },
  {
    id: "change-owner",
    family: "privilege",
    risk: "medium",
    reason: "changes file ownership",
    applies: (v) => v.name === "chown" || v.name === "chgrp",
  },
  {
    id: "dd",
    family: "disk",
    risk: "medium",
    reason: "copies raw data with dd",
    applies: (v) => v.name === "dd",
  },
  {
    id: "dd-raw-device-read",
    family: "disk",
    risk: "high",
    reason: "reads a raw disk or memory device",
    applies: (v) => v.name === "dd" && firstPath(v.args.filter((a) => a.startsWith("if=")).map((a) => v.path(a.slice(3))), (p) => p.blockDevice),
  },
  {
    id: "make-filesystem",
    family: "disk",
    risk: "critical",
    reason: "creates or wipes a filesystem",
    applies: (v) => /^mkfs(\..+)?$|^mke2fs$|^mkswap$|^wipefs$|^mkdosfs$|^mkntfs$|^mkfs\.vfat$|^blkdiscard$/.test(v.name),
  },
  {
    id: "partition-disk",
    family: "disk",
    risk: "critical",
    reason: "edits disk partitions",
    applies: (v) => ["fdisk", "sfdisk", "gdisk", "sgdisk", "cfdisk", "parted", "partprobe", "growpart"].includes(v.name),
  },
  {
    id: "mount",
    family: "disk",
    risk: "high",
    reason: "mounts or unmounts filesystems or block devices",
    applies: (v) => ["mount", "umount", "losetup", "cryptsetup", "swapon", "swapoff", "mdadm", "lvcreate", "lvremove", "vgremove", "pvremove", "zpool", "zfs", "fsck", "e2fsck", "tune2fs", "resize2fs", "hdparm"].includes(v.name),
  },
];
