import { QmpError } from "../../errors.js";
import type { QmpClient } from "./qmp-client.js";

/** Device state of a tiny guest is ~20 MB at most; migration to a tmpfs/disk file takes ms. */
export const SAVE_TIMEOUT_MS = 30_000;
const MIGRATE_POLL_MS = 2;

/** QEMU 7.2 has no `file:` URI; `exec:` runs through /bin/sh, so quote the path. */
function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Capabilities set on both ends: guest RAM in the shared file is not copied into the stream. */
const CAPABILITIES = [
  { capability: "x-ignore-shared", state: true },
  { capability: "events", state: true },
];

interface MigrationInfo {
  status?: string;
  "error-desc"?: string;
}

/**
 * Stops the VM and migrates its device state (everything but the shared RAM) to `file`.
 *
 * @example await migrateToFile(qmp, "/var/snap/state");
 */
export async function migrateToFile(qmp: QmpClient, file: string, timeoutMs = SAVE_TIMEOUT_MS): Promise<void> {
  await setMigrationCapabilities(qmp);
  await qmp.execute("stop");
  await qmp.execute("migrate", { uri: `exec:cat > ${shellQuote(file)}` });
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const info = await qmp.execute<MigrationInfo>("query-migrate");
    if (info.status === "completed") return;
    if (info.status === "failed" || info.status === "cancelled") {
      throw new QmpError(`migration to ${file} ${info.status}: ${info["error-desc"] ?? "no detail"}`, undefined, "migrate");
    }
    if (performance.now() > deadline) throw new QmpError(`migration to ${file} did not finish within ${timeoutMs} ms`, undefined, "migrate");
    await new Promise((r) => setTimeout(r, MIGRATE_POLL_MS));
  }
}

/** Sets the capabilities both ends need (QEMU 7.2 has no command-line form for x-ignore-shared). */
export async function setMigrationCapabilities(qmp: QmpClient): Promise<void> {
  await qmp.execute("migrate-set-capabilities", { capabilities: CAPABILITIES });
}

/**
 * Loads device state into a QEMU started with `-incoming defer` and the snapshot's RAM
 * template (capabilities already set), then resumes the guest.
 */
export async function migrateIncoming(qmp: QmpClient, stateFile: string, timeoutMs: number): Promise<void> {
  const done = qmp.waitForEvent("MIGRATION", timeoutMs, (e) => {
    const status = e.data?.status;
    return status === "completed" || status === "failed" || status === "cancelled";
  });
  done.catch(() => {}); // observed below; avoid an unhandled rejection if migrate-incoming throws first
  await qmp.execute("migrate-incoming", { uri: `exec:cat ${shellQuote(stateFile)}` });
  const event = await done;
  if (event.data?.status !== "completed") {
    const info = await qmp.execute<MigrationInfo>("query-migrate").catch(() => ({}) as MigrationInfo);
    throw new QmpError(`incoming migration ${String(event.data?.status)}: ${info["error-desc"] ?? "no detail"}`, undefined, "migrate-incoming");
  }
  await qmp.execute("cont");
}
