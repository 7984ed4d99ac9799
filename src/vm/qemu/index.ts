/** QEMU `-M microvm` backend: see QemuBackend. */
export { QemuBackend, type QemuBackendOptions, type PreparedRestore, BOOT_TIMEOUT_MS, RESTORE_TIMEOUT_MS, DEFAULT_QEMU_BINARY, MAX_VCPUS, unenforcedLimits } from "./qemu-backend.js";
export { QemuVm } from "./qemu-vm.js";
export { QmpClient, type QmpEvent } from "./qmp-client.js";
export { probeKvm, type KvmVerdict, type KvmProbeOptions, KVM_PROBE_TIMEOUT_MS } from "./kvm-probe.js";
export { hostTscKhz, parseCpuinfoTsc, parseDmesgTsc, type HostTsc, type TscSource } from "./host-tsc.js";
export { buildQemuArgs, buildCmdline, TUNED_CMDLINE, type QemuLaunch } from "./qemu-args.js";
export { readSnapshotRecord, removeQemuSnapshot, type QemuSnapshotRecord } from "./snapshot-files.js";
export { CONSOLE_MARKERS } from "./console-capture.js";
export { MAX_UNIX_SOCKET_PATH_BYTES } from "./qemu-process.js";
