import { vmConfigSchema } from "../../../src/vm/config-schema.js";
import type { PooledVm, PoolType } from "../../../src/vm/pool/pool-type.js";
import type { StartedVm } from "../../../src/vm/pool/start-vm.js";
import { VmRuntime } from "../../../src/vm/runtime.js";
import { tempDir } from "../../helpers/tmp.js";

/** What the fake VMs record: which were started and destroyed, and how each probe should answer. */
export interface FakeVmWorld {
  started: string[];
  destroyed: string[];
  /** VM ids whose agent probe fails. */
  failingProbes: Set<string>;
  /** Start this many VMs then fail every start. */
  startFailuresAfter?: number;
  /** Each start waits this long (ms). */
  startDelayMs: number;
  /** Starts in progress now, and the most there ever were at once. */
  inFlight: number;
  maxInFlight: number;
  /** Kill a VM as if its process died. */
  kill(id: string): void;
  startVm: (runtime: VmRuntime, type: PoolType, seq: number) => Promise<StartedVm>;
}

/** A runtime for shapes only (no backend is ever asked for). */
export function shapeRuntime(): VmRuntime {
  return new VmRuntime(vmConfigSchema.parse({}), tempDir("fb-pool-"));
}

/** Fake VM starts for pool tests: real pool logic, no QEMU. */
export function fakeVmWorld(): FakeVmWorld {
  const exits = new Map<string, () => void>();
  const world: FakeVmWorld = {
    started: [],
    destroyed: [],
    failingProbes: new Set(),
    startDelayMs: 1,
    inFlight: 0,
    maxInFlight: 0,
    kill: (id) => exits.get(id)?.(),
    startVm: async (_runtime, type, seq) => {
      world.inFlight++;
      world.maxInFlight = Math.max(world.maxInFlight, world.inFlight);
      await new Promise((r) => setTimeout(r, world.startDelayMs));
      world.inFlight--;
      if (world.startFailuresAfter !== undefined && world.started.length >= world.startFailuresAfter) throw new Error("restore failed (fake)");
      const id = `${type.name}-${seq}`;
      world.started.push(id);
      let closed = false;
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => exits.set(id, () => resolve({ code: null, signal: "SIGKILL" })));
      const vm = { id, backend: "fake", spec: {} as never, pid: undefined, phases: { spawn: 0, agentReady: 50 }, unenforced: [], consoleLog: "", connectAgent: async () => { throw new Error("not used"); }, exited };
      const agent = {
        get isClosed() {
          return closed;
        },
        close: () => {
          closed = true;
        },
        ping: async () => {
          if (world.failingProbes.has(id)) throw new Error("probe timed out (fake)");
          return 1;
        },
      };
      const backend = { name: "qemu", destroy: async () => void world.destroyed.push(id) };
      const now = Date.now();
      const pooled = { seq, type, vm, agent, backend, image: { key: "img" }, template: "tpl-1", createdAt: now, idleSince: now, restoreMs: 50, warmMs: 5, probeMs: 1 } as unknown as PooledVm;
      return { pooled, phases: { spawn: 0, agent_ready: 50, warm_up: 55 }, templateCreated: false };
    },
  };
  return world;
}

export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
