import { VmError } from "../../errors.js";
import { AgentClient } from "../agent/client.js";
import type { VmHandle } from "../backend.js";
import type { VmRuntime } from "../runtime.js";
import { analyzeBoot, type BootAnalysis } from "./analyze.js";
import { appendPhaseRecord, type BootPhaseRecord, phaseRecordOf, readPhaseRecords } from "./record.js";

/** Records read as history: enough to find the last N comparable ones among other shapes and kinds. */
const HISTORY_READ = 500;
/** The warm-up a pooled VM gets: one command, so the first real one does not pay the re-translation. */
const WARM_UP_ARGV = ["true"];
const WARM_UP_TIMEOUT_MS = 10_000;

export interface BootAnalysisReport {
  vm: string;
  console_log: string;
  record: BootPhaseRecord;
  analysis: BootAnalysis;
}

/**
 * `firebreak vm boot --analyze`: cold-boot (or restore from the shape's template) one VM, warm it up with one
 * command, destroy it, record its phases and compare them with the last `lastN` comparable boots.
 *
 * @example
 * const { analysis } = await bootAndAnalyze(runtime, { restore: true, lastN: 20 });
 * analysis.slowest; // "agent_ready"
 */
export async function bootAndAnalyze(runtime: VmRuntime, opts: { restore?: boolean; memoryMb?: number; lastN?: number } = {}): Promise<BootAnalysisReport> {
  const { backend, reasons, availability } = await runtime.select();
  const image = await runtime.image();
  if (!backend || !image) throw new VmError(`no VM backend is available: ${reasons.join("; ")}`);
  if (opts.restore && backend.name !== "qemu") throw new VmError(`template snapshots are implemented for the QEMU backend; selected: ${backend.name}`);
  const shape = runtime.shape(opts.memoryMb ? { max_memory_mb: opts.memoryMb } : undefined);
  let vm: VmHandle;
  let templateCreated = false;
  if (opts.restore) {
    const { snapshot, created } = await runtime.template(backend, image, shape);
    templateCreated = created;
    vm = await backend.restore(snapshot, runtime.spec(shape, image, backend));
  } else {
    vm = await backend.boot(runtime.spec(shape, image, backend));
  }
  let warmUpMs: number | undefined;
  try {
    const agent = new AgentClient(await vm.connectAgent());
    try {
      const t0 = performance.now();
      await agent.exec({ argv: WARM_UP_ARGV, timeoutMs: WARM_UP_TIMEOUT_MS });
      // The agent-ready mark is in ms since spawn; the warm-up follows it directly.
      warmUpMs = (vm.phases.agentReady ?? vm.phases.restore ?? 0) + Math.round(performance.now() - t0);
    } finally {
      agent.close();
    }
  } finally {
    await backend.destroy(vm);
  }
  const record = phaseRecordOf(vm, opts.restore ? "restore" : "boot", { accel: availability?.accel, templateCreated, warmUpMs });
  const history = await readPhaseRecords(runtime.stateDir, HISTORY_READ).catch(() => []);
  await appendPhaseRecord(runtime.stateDir, record);
  return { vm: vm.id, console_log: vm.consoleLog, record, analysis: analyzeBoot(record, history, opts.lastN) };
}
