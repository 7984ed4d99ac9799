import { ALLOWED_ENDPOINT_RE } from "./qemu/user-network.js";
import { z } from "zod";
import { poolSizingSchema } from "./pool/config-schema.js";

/** `[vm]`: which backend runs microVMs and how. */
export const vmConfigSchema = z.strictObject({
  /** "auto": Firecracker where it and usable KVM exist, else QEMU; "none": never run anything in a VM (refuse). */
  backend: z.enum(["auto", "qemu", "firecracker", "none"]).default("auto"),
  /** QEMU acceleration: "auto" uses KVM only after a probe boot proved it works. */
  accel: z.enum(["auto", "kvm", "tcg"]).default("auto"),
  qemu_binary: z.string().default("qemu-system-x86_64"),
  firecracker_binary: z.string().default("firecracker"),
  /** Host tap device for Firecracker VMs that need the network. */
  firecracker_tap: z.string().optional(),
  /** Restore commands' VMs from template snapshots (fast) instead of booting each one. */
  snapshots: z.boolean().default(true),
  /** Defaults for a command that states no limits (and no vm_type applies). */
  memory_mb: z.number().int().min(32).default(256),
  vcpus: z.number().int().min(1).max(8).default(1),
  disk_mb: z.number().int().min(1).default(128),
  /** The working directory is copied into the guest (as a tar) up to this size. */
  copy_max_mb: z.number().int().positive().default(64),
  copy_exclude: z.array(z.string()).default([".git", "node_modules"]),
  /**
   * Workspace paths (patterns: `*`, `**`, `?`) a microVM run's changes are never applied to without an explicit flag
   * and a confirmation, in addition to the built-in `.git/`, `.firebreak/` and `firebreak.toml` at any depth.
   */
  protected_paths: z.array(z.string()).default([]),
  /** What happens to a microVM run's changes to the workspace: ask (on a terminal; stored otherwise), auto, never (stored). */
  apply_changes: z.enum(["ask", "auto", "never"]).default("ask"),
  /** Applied and discarded changesets kept (oldest removed first); pending ones are never removed. */
  changes_keep: z.number().int().nonnegative().default(100),
  /** The cap on all file contents a microVM run brings back. */
  changes_max_mb: z.number().int().positive().default(256),
  /**
   * The only endpoints (`IPv4:port`) a guest with `network_access = true` may reach; the i-th is at
   * 10.0.2.(100+i):port inside the guest. Everything else (host loopback, private and link-local ranges, metadata
   * services, the internet) is cut off on the host side (QEMU `restrict=on`).
   */
  network_allow: z.array(z.string().regex(ALLOWED_ENDPOINT_RE, "must be IPv4:port")).default([]),
  /** Where guest images and template snapshots are kept; default: the state dir. */
  cache_dir: z.string().optional(),
  boot_timeout_ms: z.number().int().positive().default(30_000),
  /** `firebreak vm exec` without `--timeout`: the line is killed after this long (exit 124). */
  exec_timeout_ms: z.number().int().positive().default(300_000),
  /** Extra time after a command's own timeout before the host kills the VM. */
  kill_grace_ms: z.number().int().nonnegative().default(2_000),
});

/** `[vm_types.<name>]`: a VM shape a role can choose with `vm_type`. */
export const vmTypeSchema = z.strictObject({
  vcpus: z.number().int().min(1).max(8).optional(),
  memory_mb: z.number().int().min(32).optional(),
  disk_mb: z.number().int().min(1).optional(),
  network: z.boolean().optional(),
  /** Pool sizing for this type, over `[pool]`'s defaults (the type is pooled when listed in `[pool] types`). */
  ...poolSizingSchema,
});

export type VmConfig = z.infer<typeof vmConfigSchema>;
export type VmTypeConfig = z.infer<typeof vmTypeSchema>;
