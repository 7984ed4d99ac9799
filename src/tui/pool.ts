/**
 * The daemon's VM pool (`GET /v1/pool`) as the UI shows it. The JSON is read defensively: anything missing
 * or of the wrong type is left out rather than trusted, and a daemon without the endpoint means "no pool".
 */

export interface PoolType {
  name: string;
  ready: number;
  in_use: number;
  starting: number;
  queued: number;
  min_ready: number;
  max_total: number;
  allocate_ms: { p50: number; p95: number } | null;
}

export interface PoolView {
  enabled: boolean;
  strategy: string;
  types: PoolType[];
  capacity: { max_concurrent: number; in_use: number; queued: number } | null;
  alerts: { name: string; state: string; since: string; message: string }[];
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * @example
 * parsePool({ enabled: true, types: [{ name: "default", ready: 2 }] }).types[0].ready // 2
 * parsePool("nonsense") // undefined
 */
export function parsePool(json: unknown): PoolView | undefined {
  if (!json || typeof json !== "object" || Array.isArray(json)) return undefined;
  const o = obj(json);
  const types = (Array.isArray(o.types) ? o.types : []).map((t) => {
    const x = obj(t);
    const ms = x.allocate_ms && typeof x.allocate_ms === "object" ? obj(x.allocate_ms) : undefined;
    return {
      name: str(x.name) || "?",
      ready: num(x.ready),
      in_use: num(x.in_use),
      starting: num(x.starting),
      queued: num(x.queued),
      min_ready: num(x.min_ready),
      max_total: num(x.max_total),
      allocate_ms: ms ? { p50: num(ms.p50), p95: num(ms.p95) } : null,
    };
  });
  const cap = o.capacity && typeof o.capacity === "object" ? obj(o.capacity) : undefined;
  const alerts = (Array.isArray(o.alerts) ? o.alerts : []).map((a) => {
    const x = obj(a);
    return { name: str(x.name), state: str(x.state), since: str(x.since), message: str(x.message) };
  });
  return {
    enabled: o.enabled === true,
    strategy: str(o.strategy),
    types,
    capacity: cap ? { max_concurrent: num(cap.max_concurrent), in_use: num(cap.in_use), queued: num(cap.queued) } : null,
    alerts,
  };
}

/** The status line's part: `pool: default 2/2 · gpu 0/1`, `pool: off`, or `pool: -` (no daemon, no pool). */
export function poolStatus(pool: PoolView | undefined): string {
  if (!pool) return "pool: -";
  if (!pool.enabled) return "pool: off";
  const firing = pool.alerts.filter((a) => a.state === "firing").length;
  const types = pool.types.map((t) => `${t.name} ${t.ready}/${t.min_ready}`).join(" · ") || "no types";
  return `pool: ${types}${firing ? ` · ${firing} alert${firing > 1 ? "s" : ""}` : ""}`;
}

export const NO_POOL_TEXT = "The VM pool lives in the daemon: start `firebreak serve` (or `firebreak daemon start`) to see it here.";

/** The /pool panel's text. */
export function poolPanelText(pool: PoolView | undefined): string {
  if (!pool) return NO_POOL_TEXT;
  if (!pool.enabled) return "The daemon's VM pool is off (each run restores its own VM).";
  const rows = [["TYPE", "READY", "IN USE", "STARTING", "QUEUED", "MIN", "MAX", "ALLOC p50/p95"]];
  for (const t of pool.types) {
    const ms = t.allocate_ms ? `${t.allocate_ms.p50.toFixed(1)}/${t.allocate_ms.p95.toFixed(1)} ms` : "-";
    rows.push([t.name, String(t.ready), String(t.in_use), String(t.starting), String(t.queued), String(t.min_ready), String(t.max_total), ms]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [`strategy ${pool.strategy || "-"}`, ...rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd())];
  if (pool.capacity) lines.push(`capacity: ${pool.capacity.in_use} in use of ${pool.capacity.max_concurrent}, ${pool.capacity.queued} queued`);
  for (const a of pool.alerts) lines.push(`alert ${a.name}: ${a.state}${a.since ? ` since ${a.since}` : ""}${a.message ? ` — ${a.message}` : ""}`);
  if (!pool.alerts.length) lines.push("no alerts");
  return lines.join("\n");
}
