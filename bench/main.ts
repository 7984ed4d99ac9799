/**
 * `npm run bench`: every benchmark, printing numbers and ratios to their targets.
 * `npm run bench -- policy` (or knowledge, engine, cli, claude, serve, tui, vm, changes, pool) runs one; `--vm-runs N` sets VM runs.
 */
import { runChangesBench } from "./changes.js";
import { runClaudeBench } from "./claude.js";
import { runCliBench } from "./cli.js";
import { runEngineBench } from "./engine.js";
import { runKnowledgeBench } from "./knowledge.js";
import { runPolicyBench } from "./policy.js";
import { runPoolBench } from "./pool.js";
import { runServeBench } from "./serve.js";
import { runTuiBench } from "./tui.js";
import { runVmBench } from "./vm.js";

const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith("--"));
const vmRunsIndex = args.indexOf("--vm-runs");
const vmRuns = vmRunsIndex >= 0 ? Number(args[vmRunsIndex + 1]) : 5;
const wanted = (name: string) => only.length === 0 || only.includes(name);

console.log(`firebreak benchmarks — node ${process.version}, ${process.arch}, ${(await import("node:os")).cpus().length} cpus`);
if (wanted("knowledge")) await runKnowledgeBench();
if (wanted("policy")) await runPolicyBench();
if (wanted("engine")) await runEngineBench();
if (wanted("cli")) await runCliBench();
if (wanted("claude")) await runClaudeBench();
if (wanted("serve")) await runServeBench();
if (wanted("tui")) await runTuiBench();
if (wanted("changes")) {
  try {
    await runChangesBench();
  } catch (error) {
    console.log(`changes: not measured: ${(error as Error).message}`);
  }
}
if (wanted("pool")) {
  try {
    await runPoolBench();
  } catch (error) {
    console.log(`pool: not measured: ${(error as Error).message}`);
  }
}
if (wanted("vm")) {
  try {
    const r = await runVmBench({ runs: vmRuns, progress: (l) => process.stderr.write(`${l}\n`) });
    console.log(
      `vm: cold boot to agent-ready median ${r.cold_boot_ms.median} ms (min ${r.cold_boot_ms.min}, max ${r.cold_boot_ms.max}; target 1000 ms: ${(r.cold_boot_ms.median / 1000).toFixed(2)}x); ` +
        `restore median ${r.restore_ms.median} ms (target 100 ms: ${(r.restore_ms.median / 100).toFixed(2)}x); ` +
        `exec RTT median ${r.exec_rtt_ms.median} ms; restore/cold ${r.restore_to_cold.toFixed(3)} (target <= 0.1)`,
    );
  } catch (error) {
    console.log(`vm: not measured: ${(error as Error).message}`);
  }
}
