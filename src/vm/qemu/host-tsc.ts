import { readFile } from "node:fs/promises";
import { execFileAsync } from "../../exec/exec-file.js";


/** Where the host TSC frequency came from, best first. */
export type TscSource = "sysfs" | "dmesg-refined" | "dmesg-detected" | "cpuinfo-model-name" | "cpuinfo-mhz";

export interface HostTsc {
  khz: number;
  source: TscSource;
}

const DMESG_TIMEOUT_MS = 2_000;

/**
 * Parses the kernel log for the TSC frequency the host kernel settled on.
 * The refined calibration beats the early "Detected" estimate.
 *
 * @example parseDmesgTsc("[0.0] tsc: Detected 2596.148 MHz processor") // { khz: 2596148, source: "dmesg-detected" }
 */
export function parseDmesgTsc(log: string): HostTsc | undefined {
  const refined = /tsc: Refined TSC clocksource calibration: (\d+(?:\.\d+)?) MHz/.exec(log);
  if (refined?.[1]) return { khz: mhzToKhz(refined[1]), source: "dmesg-refined" };
  const detected = /tsc: Detected (\d+(?:\.\d+)?) MHz (?:processor|TSC)/.exec(log);
  if (detected?.[1]) return { khz: mhzToKhz(detected[1]), source: "dmesg-detected" };
  return undefined;
}

/**
 * Reads the TSC frequency from /proc/cpuinfo of an x86 host. With `tsc_known_freq` (or an
 * invariant TSC on a VM host) "cpu MHz" is the TSC rate; otherwise Intel's nominal
 * "@ 2.60GHz" in the model name is, and "cpu MHz" is the last resort.
 */
export function parseCpuinfoTsc(cpuinfo: string): HostTsc | undefined {
  const firstCpu = cpuinfo.split(/\n\s*\n/)[0] ?? "";
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, "m").exec(firstCpu)?.[1]?.trim();
  const flags = (field("flags") ?? "").split(/\s+/);
  const mhz = field("cpu MHz");
  if (mhz && flags.includes("tsc_known_freq") && Number(mhz) > 0) return { khz: mhzToKhz(mhz), source: "cpuinfo-mhz" };
  const nominal = /@\s*(\d+(?:\.\d+)?)\s*GHz/.exec(field("model name") ?? "");
  if (nominal?.[1]) return { khz: Math.round(Number(nominal[1]) * 1_000_000), source: "cpuinfo-model-name" };
  if (mhz && Number(mhz) > 0) return { khz: mhzToKhz(mhz), source: "cpuinfo-mhz" };
  return undefined;
}

let cached: Promise<HostTsc | undefined> | undefined;

/**
 * The host's TSC frequency in kHz. Under TCG the guest TSC runs at the host's rate, and a
 * guest told `tsc_early_khz=<this>` skips the PIT calibration that hangs at random.
 * Undefined when no source knows it (then the caller boots without the hint and says so).
 */
export function hostTscKhz(): Promise<HostTsc | undefined> {
  cached ??= detectHostTsc();
  return cached;
}

async function detectHostTsc(): Promise<HostTsc | undefined> {
  const sysfs = await readFile("/sys/devices/system/cpu/cpu0/tsc_freq_khz", "utf8").catch(() => undefined);
  if (sysfs && Number(sysfs.trim()) > 0) return { khz: Number(sysfs.trim()), source: "sysfs" };
  const dmesg = await execFileAsync("dmesg", [], { timeout: DMESG_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 })
    .then((r) => r.stdout)
    .catch(() => "");
  const fromLog = parseDmesgTsc(dmesg);
  if (fromLog) return fromLog;
  const cpuinfo = await readFile("/proc/cpuinfo", "utf8").catch(() => "");
  return parseCpuinfoTsc(cpuinfo);
}

function mhzToKhz(mhz: string): number {
  return Math.round(Number(mhz) * 1000);
}
