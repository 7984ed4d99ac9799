/**
 * Policy benchmark: shell lines per second through analyze + assessRisk, in process, over the
 * risk corpus. Target: >= 10,000 lines/s. Run alone with `npx tsx bench/policy.ts`.
 */
import { pathToFileURL } from "node:url";
import { assessRisk } from "../src/policy/risk/index.js";
import { createShellAnalyzer } from "../src/policy/shell/index.js";
import { CORPUS, CORPUS_CONTEXT } from "../test/policy/corpus.js";

export const POLICY_TARGET_LINES_PER_S = 10_000;
const WARMUP_ROUNDS = 5;
const MEASURE_DURATION_MS = 3_000;

/**
 * Measures and prints lines per second and the ratio to the target.
 * @example await runPolicyBench(); // "policy: 14,200 lines/s over 372 corpus lines (1.42x target 10,000)"
 */
export async function runPolicyBench(): Promise<void> {
  const analyzer = await createShellAnalyzer();
  const lines = CORPUS.map((c) => c.line);
  for (let round = 0; round < WARMUP_ROUNDS; round++) for (const line of lines) assessRisk(analyzer.analyze(line), CORPUS_CONTEXT);
  let processed = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let elapsedMs = 0;
  while (elapsedMs < MEASURE_DURATION_MS) {
    for (const line of lines) assessRisk(analyzer.analyze(line), CORPUS_CONTEXT);
    processed += lines.length;
    elapsedMs = performance.now() - started;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const perSecond = processed / (elapsedMs / 1000);
  // on a shared machine wall time includes waiting for a core; CPU time shows the cost of the work itself
  const perCpuSecond = processed / cpuSeconds;
  const ratio = perSecond / POLICY_TARGET_LINES_PER_S;
  const verdict = ratio >= 1 ? "meets" : "BELOW";
  console.log(
    `policy: ${Math.round(perSecond).toLocaleString("en-US")} lines/s over ${lines.length} corpus lines ` +
      `(${ratio.toFixed(2)}x target ${POLICY_TARGET_LINES_PER_S.toLocaleString("en-US")}, ${verdict}); ` +
      `${processed} lines in ${Math.round(elapsedMs)} ms; ${Math.round(perCpuSecond).toLocaleString("en-US")} lines per CPU-second ` +
      `(${(perCpuSecond / POLICY_TARGET_LINES_PER_S).toFixed(2)}x)`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await runPolicyBench();
