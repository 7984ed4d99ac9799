import fs from "node:fs";
import os from "node:os";
import { MAX_VCPUS } from "./qemu/qemu-backend.js";

/** What the host can give microVMs. */
export interface HostCapacity {
  memTotalMb: number;
  /** MemAvailable from /proc/meminfo (undefined where it cannot be read). */
  memAvailableMb?: number;
  cpus: number;
}

/** Host memory one VM costs beyond its guest RAM (the VMM process, TCG's translation cache, page tables). */
export const VMM_OVERHEAD_MB = 64;
/** A guest may use at most this share of the host's memory. */
export const MAX_GUEST_SHARE_OF_HOST = 0.9;
/** vCPUs beyond this many per host CPU only queue for the same cores. */
export const MAX_VCPUS_PER_HOST_CPU = 4;
/** The default concurrency cap: VMs may fill this share of host memory ... */
export const POOL_SHARE_OF_HOST = 0.5;
/** ... and there are at most this many per host CPU. */
export const MAX_VMS_PER_HOST_CPU = 16;

/**
 * The host's memory and CPUs: MemTotal and MemAvailable from /proc/meminfo (os.totalmem where it is missing).
 *
 * @example
 * hostCapacity(); // { memTotalMb: 24576, memAvailableMb: 18012, cpus: 2 }
 */
export function hostCapacity(meminfo: string | undefined = readMeminfo()): HostCapacity {
  const kb = (key: string) => {
    const m = meminfo && new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(meminfo);
    return m ? Number(m[1]) : undefined;
  };
  const totalKb = kb("MemTotal");
  const availableKb = kb("MemAvailable");
  return {
    memTotalMb: Math.floor(totalKb !== undefined ? totalKb / 1024 : os.totalmem() / 1048576),
    ...(availableKb !== undefined ? { memAvailableMb: Math.floor(availableKb / 1024) } : {}),
    cpus: os.availableParallelism(),
  };
}

function readMeminfo(): string | undefined {
  try {
    return fs.readFileSync("/proc/meminfo", "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Why a guest of this shape cannot be held by this host, or undefined when it can. Judged on MemTotal (not what is
 * free now): a plan is refused for what can never fit, while momentary pressure is the queue's business.
 *
 * @example
 * guestFitProblem({ memoryMb: 32768, vcpus: 1 }, { memTotalMb: 24576, cpus: 2 });
 * // "a microVM with 32768 MiB of RAM cannot be held by this host: 32768 MiB + 64 MiB for the VMM is more than 90% of its 24576 MiB"
 */
export function guestFitProblem(shape: { memoryMb: number; vcpus: number }, capacity: HostCapacity, maxVcpus = MAX_VCPUS): string | undefined {
  const memoryCap = Math.floor(capacity.memTotalMb * MAX_GUEST_SHARE_OF_HOST);
  if (shape.memoryMb + VMM_OVERHEAD_MB > memoryCap) {
    return `a microVM with ${shape.memoryMb} MiB of RAM cannot be held by this host: ${shape.memoryMb} MiB + ${VMM_OVERHEAD_MB} MiB for the VMM is more than ${Math.round(MAX_GUEST_SHARE_OF_HOST * 100)}% of its ${capacity.memTotalMb} MiB (at most ${memoryCap - VMM_OVERHEAD_MB} MiB)`;
  }
  if (shape.vcpus > maxVcpus) return `a microVM with ${shape.vcpus} vCPUs cannot be started: the guest kernel supports at most ${maxVcpus}`;
  const vcpuCap = capacity.cpus * MAX_VCPUS_PER_HOST_CPU;
  if (shape.vcpus > vcpuCap) {
    return `a microVM with ${shape.vcpus} vCPUs cannot be held by this host: more than ${MAX_VCPUS_PER_HOST_CPU} per host CPU (${capacity.cpus} CPU${capacity.cpus === 1 ? "" : "s"}, at most ${vcpuCap})`;
  }
  return undefined;
}

/**
 * The default cap on concurrent VMs: half the host's memory in VMs of this size, at most 16 per CPU, at least 1.
 *
 * @example
 * defaultMaxConcurrentVms({ memTotalMb: 24576, cpus: 2 }, 256); // 32 (min(38, 32))
 */
export function defaultMaxConcurrentVms(capacity: HostCapacity, memoryMbPerVm: number): number {
  const byMemory = Math.floor((POOL_SHARE_OF_HOST * capacity.memTotalMb) / (memoryMbPerVm + VMM_OVERHEAD_MB));
  return Math.max(1, Math.min(byMemory, capacity.cpus * MAX_VMS_PER_HOST_CPU));
}
