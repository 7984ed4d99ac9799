import { VmError } from "../../errors.js";
import type { UnenforcedLimit, VmSpec } from "../backend.js";
import type { BootSource, Drive, MachineConfiguration, NetworkInterface, Vsock } from "./api-types.js";

/**
 * Names of a VM's files inside its root directory (the `runDir`, or the jail's root). Firecracker runs with that
 * directory as its working directory and is given these relative names, so a snapshot restored into another
 * directory finds its files at the same names (Firecracker cannot override drive paths on load).
 */
export const VM_FILES = {
  apiSocket: "api.sock",
  vsockSocket: "vsock.sock",
  consoleLog: "console.log",
  snapshotState: "vmstate.snap",
  snapshotMemory: "memory.snap",
} as const;

/** Firecracker's documented vCPU range. */
export const MAX_VCPUS = 32;
/** The lowest CID a guest may use (0-2 are reserved). */
export const DEFAULT_GUEST_CID = 3;
export const GUEST_NIC_ID = "eth0";
/** Guest vsock port the agent listens on unless configured otherwise. */
export const DEFAULT_AGENT_VSOCK_PORT = 1024;

/**
 * Kernel command line every Firecracker guest gets. `console=ttyS0` feeds the serial console (Firecracker's stdout,
 * captured as the console log); `reboot=k panic=1` turn a guest reboot or panic into a VMM exit; `pci=off` because
 * Firecracker has no PCI bus. The i8042 flags skip probing for devices Firecracker lacks but keep the keyboard that
 * SendCtrlAltDel needs; the rest shorten boot.
 */
export const DEFAULT_BOOT_ARGS: readonly string[] = [
  "console=ttyS0",
  "reboot=k",
  "panic=1",
  "pci=off",
  "i8042.noaux",
  "i8042.nomux",
  "i8042.nopnp",
  "i8042.dumbkbd",
  "8250.nr_uarts=1",
  "no_timer_check",
  "cryptomgr.notests",
  "random.trust_cpu=on",
];

export interface BootPlanSettings {
  /** Kernel and initrd as Firecracker sees them (host paths, or names inside a jail). */
  kernelPath: string;
  initrdPath?: string;
  guestCid?: number;
  /** Host tap device for the guest NIC; without it a VM asking for network gets none (reported). */
  tapDevice?: string;
  guestMac?: string;
  /** Static IPv4 for the guest NIC, read by guest/image/init.sh; omitted = the guest's defaults. */
  guestIpv4?: { address: string; gateway: string; dns: string };
  agentVsockPort?: number;
}

/** Everything PUT before InstanceStart, in order; plus the limits this plan cannot enforce. */
export interface BootPlan {
  machineConfig: MachineConfiguration;
  bootSource: BootSource;
  /** Block devices; empty while the guest runs from its initramfs (the writable filesystem is a sized tmpfs). */
  drives: Drive[];
  vsock: Vsock;
  networkInterfaces: NetworkInterface[];
  unenforced: UnenforcedLimit[];
}

/**
 * Turns a `VmSpec` into the Firecracker configuration requests. Pure: no files, no process.
 * Rejects (VmError) what Firecracker would reject, before any process is spawned.
 *
 * @example
 *   planBoot({ vcpus: 1, memoryMb: 256, network: false, kernelPath: "/k", runDir: "/r" }, { kernelPath: "/k" })
 *   // -> machineConfig { vcpu_count: 1, mem_size_mib: 256 }, vsock on "vsock.sock", no drives, no NIC,
 *   //    boot_args "console=ttyS0 reboot=k panic=1 pci=off ... firebreak.agent=vsock:1024"
 */
export function planBoot(spec: VmSpec, settings: BootPlanSettings): BootPlan {
  if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1 || spec.vcpus > MAX_VCPUS) {
    throw new VmError(`firecracker supports 1-${MAX_VCPUS} vCPUs, got ${spec.vcpus}`);
  }
  if (!Number.isInteger(spec.memoryMb) || spec.memoryMb < 1) {
    throw new VmError(`memory must be a positive whole number of MiB, got ${spec.memoryMb}`);
  }
  if (spec.diskMb !== undefined && (!Number.isInteger(spec.diskMb) || spec.diskMb < 1)) {
    throw new VmError(`disk size must be a positive whole number of MiB, got ${spec.diskMb}`);
  }
  for (const word of spec.extraCmdline ?? []) {
    if (word === "" || /\s/.test(word)) throw new VmError(`kernel command-line word must be non-empty without spaces: ${JSON.stringify(word)}`);
  }

  const agentPort = settings.agentVsockPort ?? DEFAULT_AGENT_VSOCK_PORT;
  if (!Number.isInteger(agentPort) || agentPort < 1 || agentPort > 0xffffffff) {
    throw new VmError(`agent vsock port must be a positive 32-bit integer, got ${agentPort}`);
  }
  // Words read by guest/image/init.sh: where the agent listens and how big the writable tmpfs is.
  const bootArgs = [...DEFAULT_BOOT_ARGS, `firebreak.agent=vsock:${agentPort}`];
  if (spec.diskMb !== undefined) bootArgs.push(`firebreak.disk_mb=${spec.diskMb}`);
  const unenforced: UnenforcedLimit[] = [];

  const networkInterfaces: NetworkInterface[] = [];
  if (spec.network) {
    if (settings.tapDevice) {
      networkInterfaces.push({
        iface_id: GUEST_NIC_ID,
        host_dev_name: settings.tapDevice,
        ...(settings.guestMac ? { guest_mac: settings.guestMac } : {}),
      });
      const ipv4 = settings.guestIpv4;
      for (const value of ipv4 ? [ipv4.address, ipv4.gateway, ipv4.dns] : []) {
        if (!/^[0-9.]+(\/\d{1,2})?$/.test(value)) throw new VmError(`guest IPv4 setting is not an IPv4 address: ${JSON.stringify(value)}`);
      }
      if (ipv4) bootArgs.push(`firebreak.ip=${ipv4.address}`, `firebreak.gw=${ipv4.gateway}`, `firebreak.dns=${ipv4.dns}`);
      // What the tap reaches is the host's routing and firewall, not firebreak's: say so rather than pretend.
      unenforced.push({
        limit: "network_allow",
        reason: "with firecracker the guest's tap reaches whatever the host routes it to; firebreak does not block host loopback, private or metadata addresses or apply [vm] network_allow there (use the host firewall)",
      });
    } else {
      unenforced.push({
        limit: "network_access",
        reason: "network was requested but no tap device is configured for firecracker; the VM has no NIC",
      });
    }
  }

  return {
    machineConfig: { vcpu_count: spec.vcpus, mem_size_mib: spec.memoryMb },
    bootSource: {
      kernel_image_path: settings.kernelPath,
      ...(settings.initrdPath ? { initrd_path: settings.initrdPath } : {}),
      boot_args: [...bootArgs, ...(spec.extraCmdline ?? [])].join(" "),
    },
    drives: [],
    vsock: { guest_cid: settings.guestCid ?? DEFAULT_GUEST_CID, uds_path: VM_FILES.vsockSocket },
    networkInterfaces,
    unenforced,
  };
}
