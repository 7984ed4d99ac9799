/**
 * QEMU command lines for the microvm machine: one pure function so the exact arguments
 * are unit-tested and identical between a boot and the restores of its snapshots
 * (migration needs the same devices in the same order).
 */
import { userNetdev } from "./user-network.js";

/** Kernel command line measured to help boot under TCG; the guest has no i8042 or ACPI. */
export const TUNED_CMDLINE = [
  "console=ttyS0",
  "quiet",
  "no_timer_check",
  "tsc=reliable",
  "i8042.noaux",
  "i8042.nomux",
  "i8042.nopnp",
  "i8042.nokbd",
  "8250.nr_uarts=1",
  "cryptomgr.notests",
  "random.trust_cpu=on",
  "panic=-1",
  // microvm has no i8042 or ACPI reset: go straight to the triple fault QEMU turns into an exit.
  "reboot=t",
] as const;

/**
 * Under TCG the guest spends ~225 ms calibrating and verifying the local APIC timer (TCG
 * has no TSC-deadline timer, and Linux 6.1 takes no preset period from the command line).
 * `noapictimer` makes the PIT the tick source instead (with more than one vCPU, the APIC
 * timers get the PIT's broadcast): measured 0.89 s -> 0.60 s from kernel start to init.
 */
export const TCG_ONLY_CMDLINE = ["noapictimer"] as const;

export interface QemuLaunch {
  binary: string;
  accel: "kvm" | "tcg";
  memoryMb: number;
  vcpus: number;
  network: boolean;
  /** Endpoints a networked guest may reach (everything else is cut off by `restrict=on`). */
  networkAllow?: string[];
  kernelPath: string;
  initrdPath?: string;
  /** Full kernel command line (tuned defaults + firebreak.* words + extras). */
  cmdline: string;
  qmpSocket: string;
  agentSocket: string;
  /** Guest RAM file: `share=on` for a VM that can be snapshotted, `share=off` for a restored clone. */
  ramFile: string;
  ramShared: boolean;
  /** Restore: wait for `migrate-incoming` over QMP. */
  incoming: boolean;
}

/**
 * Builds argv (without the binary). The console is the first UART on QEMU's stdout;
 * `-no-reboot` turns a guest reset (what init does when its agent dies) into an exit.
 *
 * @example
 * spawn(launch.binary, buildQemuArgs(launch), { stdio: ["ignore", "pipe", "pipe"] });
 */
export function buildQemuArgs(l: QemuLaunch): string[] {
  const args = [
    "-M",
    "microvm,acpi=off,x-option-roms=off,memory-backend=mem",
    "-accel",
    l.accel,
    ...(l.accel === "kvm" ? ["-cpu", "host"] : []),
    "-m",
    `${l.memoryMb}M`,
    "-object",
    `memory-backend-file,id=mem,size=${l.memoryMb}M,mem-path=${l.ramFile},share=${l.ramShared ? "on" : "off"}`,
    "-smp",
    String(l.vcpus),
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-no-reboot",
    "-chardev",
    "stdio,id=con,signal=off",
    "-serial",
    "chardev:con",
    "-qmp",
    `unix:${l.qmpSocket},server=on,wait=off`,
    "-device",
    "virtio-serial-device,max_ports=2",
    "-chardev",
    `socket,id=agent,path=${l.agentSocket},server=on,wait=off`,
    "-device",
    "virtserialport,chardev=agent,name=agent",
    "-kernel",
    l.kernelPath,
    ...(l.initrdPath ? ["-initrd", l.initrdPath] : []),
    "-append",
    l.cmdline,
  ];
  if (l.network) args.push("-netdev", userNetdev(l.networkAllow), "-device", "virtio-net-device,netdev=net0");
  if (l.incoming) args.push("-incoming", "defer");
  return args;
}

/**
 * The kernel command line: tuned defaults, the TSC hint under TCG, the sized disk, then extras.
 *
 * @example buildCmdline({ tscKhz: 2596148, accel: "tcg", diskMb: 64 }) // "... tsc_early_khz=2596148 firebreak.disk_mb=64"
 */
export function buildCmdline(o: { tscKhz?: number; accel: "kvm" | "tcg"; diskMb?: number; extra?: string[] }): string {
  const words: string[] = [...TUNED_CMDLINE];
  if (o.accel === "tcg") {
    if (o.tscKhz) words.push(`tsc_early_khz=${o.tscKhz}`);
    words.push(...TCG_ONLY_CMDLINE);
  }
  if (o.diskMb !== undefined) words.push(`firebreak.disk_mb=${o.diskMb}`);
  words.push(...(o.extra ?? []));
  return words.join(" ");
}
