import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AgentClient } from "../agent/client.js";
import type { VmRuntime } from "../runtime.js";
import { type BootPhaseRecord, namedPhases, recordVmPhases } from "../phases/record.js";
import { readyBackend } from "../vm-source.js";
import { BACKGROUND_NICE, mayRunInBackground } from "../vmm-priority.js";
import { packWorkspace } from "../workspace-tar.js";
import type { PooledVm, PoolType } from "./pool-type.js";

/**
 * The warm-up: the code paths a run takes (the copy-in's tar, a listing, a shell), translated by TCG before a command
 * needs them (a clone starts with an empty translation cache: the copy-in alone cost ~230 ms cold, for 100 files).
 * It leaves nothing behind: its files go to a scratch dir that the script removes.
 */
const WARM_UP_DIR = "/tmp/.firebreak-warm-up";
const WARM_UP_SCRIPT = `rm -rf ${WARM_UP_DIR}`;
const WARM_UP_TIMEOUT_MS = 10_000;

/** A pooled VM's start, phase by phase (ms since spawn), for metrics and boot analysis. */
export interface StartedVm {
  pooled: PooledVm;
  phases: BootPhaseRecord["phases"];
  templateCreated: boolean;
}

/**
 * Makes one ready VM of a type: restored from the shape's template (made once if missing), its clock and RNG
 * reseeded by the backend's restore handshake, then warmed with one command so the first real command does not pay
 * the re-translation. Destroys the VM if any step fails.
 *
 * @example
 * const { pooled } = await startPooledVm(runtime, type, 1);
 */
export async function startPooledVm(runtime: VmRuntime, type: PoolType, seq: number, opts: { warm?: boolean; now?: () => number; background?: boolean } = {}): Promise<StartedVm> {
  const now = opts.now ?? Date.now;
  const { backend, image } = await readyBackend(runtime);
  const { snapshot, created } = await runtime.template(backend, image, type.shape);
  // Ahead of demand, a restore yields the CPU to commands running in lent VMs; lend() raises it (vmm-priority.ts).
  const niceness = opts.background && mayRunInBackground() ? BACKGROUND_NICE : undefined;
  const vm = await backend.restore(snapshot, { ...runtime.spec(type.shape, image, backend), niceness });
  try {
    const agent = new AgentClient(await vm.connectAgent());
    const restoreMs = vm.phases.agentReady ?? 0;
    let warmMs = 0;
    let warmUpMs: number | undefined;
    if (opts.warm !== false) {
      const t = performance.now();
      await agent.putTarListed(WARM_UP_DIR, await warmUpTar());
      await agent.exec({ script: WARM_UP_SCRIPT, cwd: "/", clearEnv: true, env: { PATH: "/usr/bin:/bin" } }, { timeoutMs: WARM_UP_TIMEOUT_MS });
      warmMs = performance.now() - t;
      warmUpMs = Math.round(restoreMs + warmMs);
    }
    const phases = namedPhases(vm.phases, warmUpMs);
    const probeMs = await agent.ping();
    void recordVmPhases(runtime, vm, "restore", { templateCreated: created, warmUpMs });
    const at = now();
    return {
      pooled: { seq, type, vm, agent, backend, image, template: snapshot.id, createdAt: at, idleSince: at, restoreMs, warmMs, probeMs, niceness },
      phases,
      templateCreated: created,
    };
  } catch (error) {
    await backend.destroy(vm);
    throw error;
  }
}

let warmTar: Promise<Uint8Array> | undefined;

/** A tiny tar (a directory with two files), made once per process the way a workspace is packed. */
function warmUpTar(): Promise<Uint8Array> {
  warmTar ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "firebreak-warm-up-"));
    try {
      fs.mkdirSync(path.join(dir, "sub"));
      fs.writeFileSync(path.join(dir, "a.txt"), "warm-up\n");
      fs.writeFileSync(path.join(dir, "sub", "b.txt"), "warm-up\n");
      return await packWorkspace(dir, [], 1 << 20);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  })();
  return warmTar;
}
