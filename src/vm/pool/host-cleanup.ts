import type { VmRuntime } from "../runtime.js";
import type { MaintenanceDeps } from "./maintenance.js";

/**
 * The VM stage's host cleanups for maintenance: orphan reaping (`cleanup`) and template/image collection
 * (`snapshot-refresh`).
 */
export function vmMaintenanceDeps(runtime: VmRuntime): MaintenanceDeps {
  void runtime;
  return {
    // Interim until the orphan reaper lands: nothing is reaped, and the report says so.
    reapOrphans: async () => ({ reaped: [], note: "orphan reaping not wired yet" }),
    collectSnapshots: async () => ({ removed: [], note: "collection not wired yet" }),
  };
}
