import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { VmError } from "../errors.js";
import { AgentClient } from "./agent/index.js";
import type { Snapshot, VmHandle, VmSpec } from "./backend.js";
import { buildGuestImage, findGuestImage } from "./image/index.js";
import { QemuBackend, removeQemuSnapshot } from "./qemu/index.js";

/** min / median / max of a series, in ms (rounded to 0.1). */
export interface Stat {
  median: number;
  min: number;
  max: number;
}

export interface VmBenchResult {
  /** Spawn of QEMU to the agent answering hello, cold kernel boot. */
  cold_boot_ms: Stat;
  /** Spawn of QEMU to the agent answering hello (+ settime, reseed) from a snapshot. */
  restore_ms: Stat;
  /** One `exec` of `true` (a /bin/sh -c fork+exec in the guest), host to host. */
  exec_rtt_ms: Stat;
  /** Restore when QEMU was started ahead (`prepareRestore`, as a prewarming pool does): load + resume + agent. */
  restore_prepared_ms: Stat;
  /** restore median / cold boot median. */
  restore_to_cold: number;
  /** Median of the first command after a restore (TCG re-translates guest code once). */
  first_exec_after_restore_ms: Stat;
  accel: "kvm" | "tcg";
  runs: number;
  kernel: string;
  image: string;
  host: { cpus: number; model: string; loadavg1: number };
}

export interface VmBenchOptions {
  runs: number;
  /** Build the image when it is missing (default true). */
  buildImage?: boolean;
  /** Where images (and the KVM verdict) live; default: the state dir. */
  stateDir?: string;
  /** Execs measured per restored VM (default 20). */
  execsPerVm?: number;
  memoryMb?: number;
  /** Progress lines (default: none). */
  progress?: (line: string) => void;
}

function stat(values: number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  const r = (n: number) => Math.round(n * 10) / 10;
  return { median: r(median), min: r(sorted[0] ?? 0), max: r(sorted.at(-1) ?? 0) };
}

/**
 * Measures the QEMU backend on this machine: `runs` cold boots, one template snapshot,
 * `runs` restores from it, and exec round trips in the restored VMs. Every VM is destroyed
 * and the snapshot removed, even on failure.
 *
 * @example
 * const r = await runVmBench({ runs: 5 });
 * console.log(r.cold_boot_ms.median, r.restore_ms.median, r.restore_to_cold);
 */
export async function runVmBench(opts: VmBenchOptions): Promise<VmBenchResult> {
  const progress = opts.progress ?? (() => {});
  const image = (await findGuestImage({ stateDir: opts.stateDir })) ?? (opts.buildImage === false ? undefined : await buildGuestImage({ stateDir: opts.stateDir }));
  if (!image) throw new VmError("no guest image: build it with `firebreak vm image build`");
  const backend = new QemuBackend({ stateDir: opts.stateDir });
  const accel = (await backend.availability()).accel ?? "tcg";
  const work = await mkdtemp(path.join(os.tmpdir(), "fbb-"));
  const live = new Set<VmHandle>();
  let n = 0;
  const spec = (): VmSpec => ({
    vcpus: 1,
    memoryMb: opts.memoryMb ?? 256,
    network: false,
    kernelPath: image.bzImage,
    initrdPath: image.initrd,
    runDir: path.join(work, `v${n++}`),
  });
  const snapDir = path.join(work, "snap");
  try {
    const cold: number[] = [];
    let template: Snapshot | undefined;
    for (let i = 0; i < opts.runs; i++) {
      const t0 = performance.now();
      const vm = await backend.boot(spec());
      live.add(vm);
      // boot() resolves after the agent answered hello.
      cold.push(performance.now() - t0);
      progress(`cold boot ${i + 1}/${opts.runs}: ${Math.round(cold.at(-1) ?? 0)} ms (agent ready at ${vm.phases.agentReady} ms after spawn)`);
      if (i < opts.runs - 1) {
        await backend.destroy(vm);
        live.delete(vm);
      } else {
        template = await backend.snapshot(vm, snapDir);
        await backend.destroy(vm);
        live.delete(vm);
      }
    }
    if (!template) throw new Error("runs must be at least 1");
    const restore: number[] = [];
    const firstExec: number[] = [];
    const execs: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const t0 = performance.now();
      const vm = await backend.restore(template, spec());
      live.add(vm);
      restore.push(performance.now() - t0);
      const agent = new AgentClient(await vm.connectAgent());
      try {
        let t = performance.now();
        await agent.exec({ argv: ["true"] });
        firstExec.push(performance.now() - t);
        for (let j = 0; j < (opts.execsPerVm ?? 20); j++) {
          t = performance.now();
          await agent.exec({ argv: ["true"] });
          execs.push(performance.now() - t);
        }
      } finally {
        agent.close();
      }
      progress(`restore ${i + 1}/${opts.runs}: ${Math.round(restore.at(-1) ?? 0)} ms`);
      await backend.destroy(vm);
      live.delete(vm);
    }
    const prepared: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const ready = await backend.prepareRestore(template, spec());
      const t0 = performance.now();
      const vm = await ready.complete();
      prepared.push(performance.now() - t0);
      live.add(vm);
      progress(`prepared restore ${i + 1}/${opts.runs}: ${Math.round(prepared.at(-1) ?? 0)} ms`);
      await backend.destroy(vm);
      live.delete(vm);
    }
    const coldStat = stat(cold);
    const restoreStat = stat(restore);
    return {
      cold_boot_ms: coldStat,
      restore_ms: restoreStat,
      restore_prepared_ms: stat(prepared),
      exec_rtt_ms: stat(execs),
      restore_to_cold: Math.round((restoreStat.median / coldStat.median) * 1000) / 1000,
      first_exec_after_restore_ms: stat(firstExec),
      accel,
      runs: opts.runs,
      kernel: image.kernelRelease,
      image: image.key,
      host: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "unknown", loadavg1: Math.round((os.loadavg()[0] ?? 0) * 100) / 100 },
    };
  } finally {
    for (const vm of live) await backend.destroy(vm).catch(() => {});
    await removeQemuSnapshot(snapDir).catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
}
