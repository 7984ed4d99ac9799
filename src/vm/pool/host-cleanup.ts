import { collectSnapshots } from "../collect.js";
import { reapOrphans } from "../orphans.js";
import type { VmRuntime } from "../runtime.js";
import type { MaintenanceDeps } from "./maintenance.js";

/**
 * The VM stage's host cleanups for maintenance: orphan reaping (`cleanup`: VMMs, sockets, run dirs and RAM files of
 * dead owners) and template/image collection (`snapshot-refresh`).
 */
export function vmMaintenanceDeps(runtime: VmRuntime): MaintenanceDeps {
  return {
    reapOrphans: async () => ({ ...(await reapOrphans({ stateDir: runtime.stateDir })) }),
    collectSnapshots: async (inUse, keepImages) => ({ ...(await collectSnapshots(runtime, { inUse, keepImages })) }),
  };
}
