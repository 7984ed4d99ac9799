import type { PoolBenchResult } from "../../client/pool-bench.js";
import type { MaintenanceReport, PoolStatus } from "../../vm/pool/status.js";
import { type Output, paint, table } from "../output.js";

const ms = (n: number | null | undefined) => (n === null || n === undefined ? "-" : `${n} ms`);

/**
 * `firebreak pool status`: one row per VM type, then capacity, alerts and the last maintenance.
 *
 * @example
 * // type     shape               ready  in use  starting  queued  target  allocate p50/p95
 * // default  1 vCPU 256 MB       2/2    0       0         0       2       1.8/3.1 ms
 */
export function poolStatusText(o: Output, s: PoolStatus): string {
  const rows = [["type", "shape", "ready", "in use", "starting", "queued", "target", "allocate p50/p95", "refill p50"]];
  for (const t of s.types) {
    const shape = `${t.shape.vcpus} vCPU ${t.shape.memory_mb} MB${t.shape.network ? " net" : ""}`;
    const ready = `${t.ready}/${t.min_ready}`;
    rows.push([t.name, shape, t.ready < t.min_ready ? paint(o, "yellow", ready) : ready, String(t.in_use), String(t.starting), String(t.queued), String(t.target_ready), t.allocate_ms ? `${t.allocate_ms.p50}/${t.allocate_ms.p95} ms` : "-", ms(t.refill_ms?.p50)]);
  }
  const lines = [`VM pool · strategy ${s.strategy} · ${s.capacity.in_use} of ${s.capacity.max_concurrent} VMs running commands, ${s.capacity.queued} queued`, table(rows)];
  for (const t of s.types) {
    const phases = Object.entries(t.last_start_phases_ms ?? {}).filter(([k]) => k !== "spawn");
    if (phases.length) lines.push(`${t.name}: last VM start, ms since spawn: ${phases.map(([k, v]) => `${k} ${v}`).join(", ")}`);
  }
  if (s.alerts.length) {
    lines.push("", paint(o, "red", `alerts firing (${s.alerts.length}):`));
    for (const a of s.alerts) lines.push(`  ${a.name}${a.type ? ` [${a.type}]` : ""} since ${a.since}: ${a.message}`);
  } else lines.push("", "no alerts firing");
  if (s.maintenance.last.length) {
    lines.push("", `maintenance (every ${s.maintenance.interval_s || "-"} s; last runs):`);
    for (const r of s.maintenance.last) lines.push(`  ${r.op.padEnd(16)} ${r.at}  ${r.ok ? "ok" : paint(o, "red", `failed: ${r.error}`)} (${r.duration_ms} ms)`);
  }
  return lines.join("\n");
}

/** `firebreak pool maintain <op>`: what each operation did, one line each with its details. */
export function maintenanceText(o: Output, reports: MaintenanceReport[]): string {
  return reports.map((r) => `${r.op}: ${r.ok ? paint(o, "green", "ok") : paint(o, "red", `failed: ${r.error}`)} in ${r.duration_ms} ms${detailsText(r.details)}`).join("\n");
}

function detailsText(details: Record<string, unknown>): string {
  const text = JSON.stringify(details);
  return text === "{}" ? "" : `\n  ${text.length > 400 ? `${text.slice(0, 400)}…` : text}`;
}

/** `firebreak pool bench`: the measured numbers beside their targets. */
export function poolBenchText(r: PoolBenchResult): string {
  const c = r.concurrency;
  return [
    `pool bench (type ${r.type})`,
    `  acquire, warm pool → VM handed over with its agent answering: p50 ${ms(r.acquire_ms?.p50)}, p99 ${ms(r.acquire_ms?.p99)}`,
    `  allocation, warm pool → command started in the guest: p50 ${ms(r.allocate_ms?.p50)}, p90 ${ms(r.allocate_ms?.p90)}, p99 ${ms(r.allocate_ms?.p99)}  (target p50 ≤ 5 ms)`,
    `  VM-placed true vs host-placed true through the daemon (${r.workspace_files} files): ${ms(r.vm_ms)} vs ${ms(r.host_ms)} → ratio ${r.vm_vs_host_ratio ?? "-"}  (target ≤ 1.5)`,
    `  ${c.n} concurrent VM-placed runs: ${c.failures} failed, p50 ${ms(c.p50_ms)}, p99 ${ms(c.p99_ms)}, p99/p50 ${c.p99_over_p50 ?? "-"}  (target 0 failures, ≤ 1.5)`,
    ...c.errors.map((e) => `    error: ${e}`),
    `  ready idle VM memory (PSS): ${r.ready_pss_mb ?? "-"} MB with ${r.ready_pss_samples.length} ready, ${r.ready_pss_at_load.mean_mb ?? "-"} MB with ${r.ready_pss_at_load.ready} ready  (target ≤ 40 MB)`,
  ].join("\n");
}
