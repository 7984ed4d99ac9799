/**
 * End-to-end decision benchmark: shell lines per second through the same path as
 * `firebreak policy check` (planInvocation: analysis, risk, blacklist, rules, role, placement),
 * in process, over the risk corpus. Target: >= 10,000 lines/s.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createFirebreak } from "../src/firebreak.js";
import { planInvocation } from "../src/engine/plan.js";
import { CORPUS } from "../test/policy/corpus.js";
import { POLICY_TARGET_LINES_PER_S } from "./policy.js";

const MEASURE_DURATION_MS = 3_000;

export async function runEngineBench(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "fb-bench-"));
  // The bench writes its own project config, so it trusts it.
  const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, "c"), XDG_STATE_HOME: path.join(home, "s"), FIREBREAK_TRUST_PROJECT: "1" };
  fs.writeFileSync(
    path.join(home, "firebreak.toml"),
    // A realistic policy: a few rules with examples and a blacklist, so their cost is measured too.
    `[policy]\nblacklist = ["mkfs *", "dd * of=/dev/*"]\n[[policy.rules]]\nid = "no-force-push"\naction = "deny"\npattern = "git push --force *"\nmatch = ["git push --force origin main"]\n[[policy.rules]]\nid = "tests"\naction = "allow"\npattern = "npm test *"\nmatch = ["npm test"]\n`,
  );
  const ctx = await createFirebreak({ cwd: home, env });
  const lines = CORPUS.map((c) => c.line);
  const decideAll = async () => {
    for (const line of lines) await planInvocation(ctx, { kind: "shell", line }, { cwd: home });
  };
  await decideAll();
  await decideAll();
  let processed = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  while (performance.now() - started < MEASURE_DURATION_MS) {
    await decideAll();
    processed += lines.length;
  }
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const perSecond = processed / elapsedS;
  const perCpuSecond = processed / ((cpu.user + cpu.system) / 1e6);
  console.log(
    `engine (policy check path): ${Math.round(perSecond).toLocaleString("en-US")} lines/s (${(perSecond / POLICY_TARGET_LINES_PER_S).toFixed(2)}x target ${POLICY_TARGET_LINES_PER_S.toLocaleString("en-US")}); ` +
      `${Math.round(perCpuSecond).toLocaleString("en-US")} lines per CPU-second`,
  );
  fs.rmSync(home, { recursive: true, force: true });
}
