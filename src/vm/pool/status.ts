import type { Percentiles } from "./sample-window.js";

/** One alert as `pool status` and `GET /v1/alerts` show it. */
export interface AlertView {
  name: string;
  state: "firing" | "cleared";
  /** When it started firing (ISO). */
  since: string;
  message: string;
  value: number;
  threshold: number;
  type?: string;
}

/** What one maintenance operation did. */
export interface MaintenanceReport {
  op: string;
  at: string;
  duration_ms: number;
  ok: boolean;
  details: Record<string, unknown>;
  error?: string;
}

export interface PoolTypeStatus {
  name: string;
  shape: { vcpus: number; memory_mb: number; disk_mb: number | null; network: boolean };
  min_ready: number;
  max_total: number;
  max_age_s: number;
  target_ready: number;
  ready: number;
  in_use: number;
  starting: number;
  queued: number;
  allocations: number;
  failures_recent: number;
  allocate_ms: Percentiles | null;
  refill_ms: Percentiles | null;
  /** The latest VM start of this type, phase by phase (ms since the VMM was spawned). */
  last_start_phases_ms: Record<string, number> | null;
  ready_vms: { id: string; pid: number | null; age_s: number; restore_ms: number; warm_ms: number; probe_ms: number }[];
}

/** `GET /v1/pool` and `firebreak pool status --json`. */
export interface PoolStatus {
  enabled: boolean;
  strategy: string;
  capacity: { max_concurrent: number; in_use: number; queued: number };
  types: PoolTypeStatus[];
  alerts: AlertView[];
  maintenance: { last: MaintenanceReport[]; interval_s: number };
}
