import fs from "node:fs";
import path from "node:path";
import { VmError } from "../errors.js";
import { AgentClient } from "./agent/client.js";
import type { PhaseTimings, UnenforcedLimit } from "./backend.js";
import { FirecrackerBackend } from "./firecracker/backend.js";
import { recordVmPhases } from "./phases/record.js";
import { QemuBackend } from "./qemu/qemu-backend.js";
import type { VmRuntime } from "./runtime.js";
import { vmmParentDeath } from "./vmm-guard.js";

/** statfs f_type of tmpfs. */
const TMPFS_MAGIC = 0x01021994;

/**
 * Warnings about where templates live: clones map template RAM MAP_PRIVATE, and on tmpfs every page a clone touches
 * is allocated in the shared template file, so templates grow to the full guest size.
 *
 * @example await snapshotStorageWarnings("/root/.local/state/firebreak/snapshots") // [] on ext4
 */
export async function snapshotStorageWarnings(snapshotsDir: string): Promise<string[]> {
  let dir = snapshotsDir;
  while (!fs.existsSync(dir) && dir !== "/") dir = path.dirname(dir);
  const stats = await fs.promises.statfs(dir).catch(() => undefined);
  if (stats?.type === TMPFS_MAGIC) {
    return [`the snapshots dir ${snapshotsDir} is on tmpfs: template RAM files grow as clones touch memory there; set [vm] cache_dir to a disk filesystem`];
  }
  return [];
}

/** `firebreak vm doctor`: which backends work here and why, the selection, the image and the snapshots. */
export async function vmDoctor(runtime: VmRuntime) {
  const { config } = runtime;
  const backends = [
    new QemuBackend({ qemuBinary: config.qemu_binary, stateDir: runtime.stateDir, accel: config.accel }),
    new FirecrackerBackend({ binary: config.firecracker_binary, tapDevice: config.firecracker_tap }),
  ];
  const checks = await Promise.all(backends.map(async (b) => ({ backend: b.name, ...(await b.availability()) })));
  const image = await runtime.image();
  const selected = await runtime.select();
  const snapshots = await runtime.listSnapshots();
  const warnings = await snapshotStorageWarnings(runtime.snapshotsDir());
  return { configured: config.backend, selected: selected.backend?.name ?? null, selection: selected.reasons, backends: checks, image: image ?? null, snapshots, vmm_lifetime: vmmParentDeath(), warnings };
}

export interface BootProbeReport {
  backend: string;
  vm: string;
  total_ms: number;
  phases_ms: PhaseTimings;
  ping_ms: number;
  unenforced: UnenforcedLimit[];
  console_log: string;
}

/** `firebreak vm boot`: cold-boot one VM to agent-ready, ping its agent, destroy it, report the phases. */
export async function bootProbe(runtime: VmRuntime, memoryMb?: number): Promise<BootProbeReport> {
  const { backend, reasons } = await runtime.select();
  const img = await runtime.image();
  if (!backend || !img) throw new VmError(`no VM backend is available: ${reasons.join("; ")}`);
  const t0 = performance.now();
  const vm = await backend.boot(runtime.spec(runtime.shape(memoryMb ? { max_memory_mb: memoryMb } : undefined), img, backend));
  const totalMs = Math.round(performance.now() - t0);
  await recordVmPhases(runtime, vm, "boot");
  try {
    const agent = new AgentClient(await vm.connectAgent());
    const rtt = await agent.ping();
    agent.close();
    return { backend: backend.name, vm: vm.id, total_ms: totalMs, phases_ms: vm.phases, ping_ms: rtt, unenforced: vm.unenforced, console_log: vm.consoleLog };
  } finally {
    await backend.destroy(vm);
  }
}
