/** Firecracker microVM backend: API client, vsock handshake, launch and boot planning, the backend. */
export { FirecrackerApiClient, DEFAULT_API_TIMEOUT_MS, DEFAULT_SNAPSHOT_TIMEOUT_MS } from "./api-client.js";
export type { FirecrackerApiClientOptions } from "./api-client.js";
export * from "./api-types.js";
export { unixHttpRequest, UNIX_SOCKET_PATH_MAX_BYTES } from "./unix-http.js";
export type { UnixHttpRequest, UnixHttpResponse } from "./unix-http.js";
export { connectVsock, connectVsockWithRetry } from "./vsock-connect.js";
export type { VsockConnection, VsockConnectOptions, VsockRetryOptions } from "./vsock-connect.js";
export {
  planBoot,
  DEFAULT_BOOT_ARGS,
  DEFAULT_AGENT_VSOCK_PORT,
  DEFAULT_GUEST_CID,
  GUEST_NIC_ID,
  MAX_VCPUS,
  VM_FILES,
} from "./boot-plan.js";
export type { BootPlan, BootPlanSettings } from "./boot-plan.js";
export { planLaunch } from "./launch-plan.js";
export type { JailerOptions, LaunchPlan, LaunchRequest } from "./launch-plan.js";
export { checkKvm, findExecutable, firecrackerAvailability, firecrackerVersion } from "./availability.js";
export type { AvailabilityOptions, KvmCheck, KvmVerdictProvider } from "./availability.js";
export { restoreRequest, SNAPSHOT_META_FILE } from "./snapshot-files.js";
export type { RestoreRequest, SnapshotMeta } from "./snapshot-files.js";
export { FirecrackerVm } from "./firecracker-vm.js";
export { FirecrackerBackend, applyBootPlan, DEFAULT_AGENT_CONNECT_TIMEOUT_MS } from "./backend.js";
export type { FirecrackerBackendOptions } from "./backend.js";
