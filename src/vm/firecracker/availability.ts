import { execFile } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { BackendAvailability } from "../backend.js";

const VERSION_PROBE_TIMEOUT_MS = 3_000;

/** A KVM verdict from elsewhere (e.g. a cached probe boot); replaces the static /dev/kvm checks when given. */
export type KvmVerdictProvider = () => Promise<{ usable: boolean; reason: string }>;

export interface AvailabilityOptions {
  /** Configured binary (absolute path or a name looked up on PATH); default "firecracker". */
  binary?: string;
  kvmDevicePath?: string;
  /** Present when the PVM flavour of KVM is loaded; Firecracker guests do not run under it. */
  pvmModulePath?: string;
  kvmVerdict?: KvmVerdictProvider;
  envPath?: string;
}

/**
 * Resolves a binary like a shell would: a name containing '/' is taken as a path, a bare name is searched on PATH.
 * Returns the absolute path of an executable regular file, or undefined.
 *
 * @example
 *   await findExecutable("firecracker")  // -> "/usr/local/bin/firecracker" or undefined
 */
export async function findExecutable(binary: string, envPath = process.env.PATH ?? ""): Promise<string | undefined> {
  const candidates = binary.includes("/")
    ? [path.resolve(binary)]
    : envPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, binary));
  for (const candidate of candidates) {
    try {
      const stat = await fs.stat(candidate);
      if (!stat.isFile()) continue;
      await fs.access(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface KvmCheck {
  usable: boolean;
  reason: string;
}

/**
 * Static KVM checks: the device exists, this user can open it read-write, and it is not PVM. Passing them does not
 * prove a guest boots (only a probe boot does), and the reason says so.
 */
export async function checkKvm(kvmDevicePath = "/dev/kvm", pvmModulePath = "/sys/module/kvm_pvm"): Promise<KvmCheck> {
  try {
    await fs.access(kvmDevicePath, fsConstants.F_OK);
  } catch {
    return { usable: false, reason: `${kvmDevicePath} does not exist (no KVM on this host)` };
  }
  try {
    await fs.access(kvmDevicePath, fsConstants.R_OK | fsConstants.W_OK);
  } catch {
    return { usable: false, reason: `${kvmDevicePath} is not readable and writable by this user (add it to the kvm group)` };
  }
  try {
    await fs.access(pvmModulePath, fsConstants.F_OK);
    return {
      usable: false,
      reason: `KVM here is PVM (${pvmModulePath} is loaded): stock guest kernels hang under it, so Firecracker cannot use it`,
    };
  } catch {
    // not PVM
  }
  return {
    usable: true,
    reason: `${kvmDevicePath} is accessible; KVM counts as working only once a probe boot succeeds`,
  };
}

/** `firecracker --version`, first line, or undefined when it cannot be run. */
export function firecrackerVersion(binaryPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(binaryPath, ["--version"], { timeout: VERSION_PROBE_TIMEOUT_MS }, (err, stdout) => {
      const line = String(stdout).split("\n")[0]?.trim();
      resolve(err || !line ? undefined : line);
    });
  });
}

/**
 * Whether the Firecracker backend can run here, with the reasons for `vm doctor`. Available only when the binary
 * exists and KVM passes its checks (Firecracker has no software emulation).
 */
export async function firecrackerAvailability(options: AvailabilityOptions = {}): Promise<BackendAvailability> {
  const binary = options.binary ?? "firecracker";
  const reasons: string[] = [];
  const binaryPath = await findExecutable(binary, options.envPath);
  if (binaryPath) {
    const version = await firecrackerVersion(binaryPath);
    reasons.push(version ? `firecracker binary: ${binaryPath} (${version})` : `firecracker binary: ${binaryPath} (its --version failed)`);
  } else {
    reasons.push(binary.includes("/") ? `no executable firecracker binary at ${binary}` : `no ${binary} binary on PATH`);
  }
  const kvm = options.kvmVerdict
    ? await options.kvmVerdict()
    : await checkKvm(options.kvmDevicePath, options.pvmModulePath);
  reasons.push(kvm.reason);
  const available = binaryPath !== undefined && kvm.usable;
  return available ? { available, reasons, accel: "kvm" } : { available, reasons };
}
