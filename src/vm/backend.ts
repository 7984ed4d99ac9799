import type { Duplex } from "node:stream";

/** What a VM must look like. Limits come from a command's `resource_limits` and the role's vm_type. */
export interface VmSpec {
  vcpus: number;
  memoryMb: number;
  /** Size of the guest's writable filesystem; undefined = backend default. */
  diskMb?: number;
  /** false = the guest has no NIC at all. */
  network: boolean;
  /**
   * With `network`, the only endpoints (`IPv4:port`) the guest may reach, enforced on the host side (QEMU: see
   * qemu/user-network.ts). Empty or absent = the NIC reaches nothing beyond the virtual network.
   */
  networkAllow?: string[];
  kernelPath: string;
  initrdPath?: string;
  /** Extra kernel command-line words appended to the backend's tuned defaults. */
  extraCmdline?: string[];
  /** Directory for this VM's sockets, logs and files; the backend removes what it creates there. */
  runDir: string;
  /** Start the VMM at this nice value (a pool refill in the background; see vmm-priority.ts). Default: inherit. */
  niceness?: number;
}

/** Milliseconds since the VM's spawn for each boot phase reached (absent = not observed). */
export interface PhaseTimings {
  spawn: number;
  vmmReady?: number;
  kernelStart?: number;
  init?: number;
  agentReady?: number;
  restore?: number;
}

/** A limit the backend was asked for but cannot enforce: reported, never silently ignored. */
export interface UnenforcedLimit {
  limit: string;
  reason: string;
}

export interface VmHandle {
  readonly id: string;
  readonly backend: string;
  readonly spec: VmSpec;
  /** The VMM's process id, where there is one (memory accounting, owner records). */
  readonly pid?: number;
  readonly phases: PhaseTimings;
  readonly unenforced: UnenforcedLimit[];
  /** Path of the captured serial console log. */
  readonly consoleLog: string;
  /** Open the byte stream to the guest agent. */
  connectAgent(): Promise<Duplex>;
  /** Resolves when the VM process exits (for whatever reason). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface Snapshot {
  readonly id: string;
  readonly backend: string;
  readonly dir: string;
  readonly spec: VmSpec;
  readonly createdAt: string;
}

export interface BackendAvailability {
  available: boolean;
  /** Why it is or is not available, for `vm doctor`. */
  reasons: string[];
  accel?: "kvm" | "tcg";
}

/** Every microVM backend implements exactly this. */
export interface VmBackend {
  readonly name: "qemu" | "firecracker";
  availability(): Promise<BackendAvailability>;
  boot(spec: VmSpec): Promise<VmHandle>;
  snapshot(vm: VmHandle, dir: string): Promise<Snapshot>;
  restore(snapshot: Snapshot, spec: VmSpec): Promise<VmHandle>;
  /** Always reaps the process and removes the VM's sockets and files; safe to call twice. */
  destroy(vm: VmHandle): Promise<void>;
}
