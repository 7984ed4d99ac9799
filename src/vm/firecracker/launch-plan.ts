import path from "node:path";
import { VmError } from "../../errors.js";
import { VM_FILES } from "./boot-plan.js";

/** Run Firecracker inside the jailer: its own uid/gid and a chroot (production hardening). */
export interface JailerOptions {
  binaryPath: string;
  uid: number;
  gid: number;
  /** Jails are created at `<chrootBaseDir>/<firecracker binary name>/<id>/root`. */
  chrootBaseDir: string;
  cgroupVersion?: 1 | 2;
  /** Path of a network namespace to join (e.g. /var/run/netns/fb0). */
  netnsPath?: string;
}

export interface LaunchRequest {
  /** Absolute path of the firecracker binary. */
  firecrackerPath: string;
  /** Instance id: ASCII letters, digits and '-', at most 64 characters (Firecracker and jailer both check). */
  id: string;
  runDir: string;
  jailer?: JailerOptions;
}

/** How to spawn one VM process and where its files live on the host. */
export interface LaunchPlan {
  file: string;
  args: string[];
  cwd: string;
  /** Host directory Firecracker resolves the relative names of `VM_FILES` against. */
  vmRoot: string;
  /** Host directory to remove on destroy beyond the runDir (the jail), if any. */
  jailDir?: string;
  /** Host path of the API socket. */
  apiSocketPath: string;
  /** Host path of the vsock device's Unix socket. */
  vsockSocketPath: string;
}

const INSTANCE_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Builds the argv for `firecracker --api-sock api.sock --id <id>`, or for the jailer wrapping it
 * (`jailer --id <id> --exec-file <fc> --uid <u> --gid <g> --chroot-base-dir <dir> [...] -- --api-sock api.sock`).
 * Without a jailer, Firecracker runs in the runDir; the jailer chroots into the jail root, so the same relative names work.
 *
 * @example
 *   planLaunch({ firecrackerPath: "/usr/bin/firecracker", id: "fb-1", runDir: "/run/fb-1" }).args
 *   // -> ["--api-sock", "api.sock", "--id", "fb-1"]
 */
export function planLaunch(req: LaunchRequest): LaunchPlan {
  if (!INSTANCE_ID.test(req.id)) {
    throw new VmError(`invalid firecracker instance id ${JSON.stringify(req.id)}: use 1-64 ASCII letters, digits or '-'`);
  }
  if (!path.isAbsolute(req.firecrackerPath)) throw new VmError(`firecracker binary path must be absolute: ${req.firecrackerPath}`);
  const fcArgs = ["--api-sock", VM_FILES.apiSocket];

  if (!req.jailer) {
    const vmRoot = path.resolve(req.runDir);
    return {
      file: req.firecrackerPath,
      args: [...fcArgs, "--id", req.id],
      cwd: vmRoot,
      vmRoot,
      apiSocketPath: path.join(vmRoot, VM_FILES.apiSocket),
      vsockSocketPath: path.join(vmRoot, VM_FILES.vsockSocket),
    };
  }

  const j = req.jailer;
  for (const [name, value] of [["uid", j.uid], ["gid", j.gid]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new VmError(`jailer ${name} must be a non-negative integer, got ${value}`);
  }
  if (!path.isAbsolute(j.chrootBaseDir)) throw new VmError(`jailer chroot base dir must be absolute: ${j.chrootBaseDir}`);
  const execName = path.basename(req.firecrackerPath);
  // The jailer refuses an exec file whose name does not contain "firecracker".
  if (!execName.includes("firecracker")) throw new VmError(`the jailer only runs a binary named *firecracker*, got ${execName}`);
  const jailDir = path.join(j.chrootBaseDir, execName, req.id);
  const vmRoot = path.join(jailDir, "root");
  const args = [
    "--id", req.id,
    "--exec-file", req.firecrackerPath,
    "--uid", String(j.uid),
    "--gid", String(j.gid),
    "--chroot-base-dir", j.chrootBaseDir,
    ...(j.cgroupVersion ? ["--cgroup-version", String(j.cgroupVersion)] : []),
    ...(j.netnsPath ? ["--netns", j.netnsPath] : []),
    "--",
    ...fcArgs,
  ];
  return {
    file: j.binaryPath,
    args,
    cwd: path.resolve(req.runDir),
    vmRoot,
    jailDir,
    apiSocketPath: path.join(vmRoot, VM_FILES.apiSocket),
    vsockSocketPath: path.join(vmRoot, VM_FILES.vsockSocket),
  };
}
