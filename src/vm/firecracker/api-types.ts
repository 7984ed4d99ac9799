/**
 * Request and response bodies of the Firecracker API (v1.16.1, `definitions` of its Swagger spec), restricted to the
 * operations firebreak uses. Field names are the wire names. The contract tests validate every body the client sends
 * against the spec file itself, so a drift between these types and the spec fails a test.
 */

/** `#/definitions/MachineConfiguration` (PUT /machine-config). */
export interface MachineConfiguration {
  vcpu_count: number;
  mem_size_mib: number;
  smt?: boolean;
  track_dirty_pages?: boolean;
  huge_pages?: "None" | "2M";
}

/** `#/definitions/BootSource` (PUT /boot-source). */
export interface BootSource {
  kernel_image_path: string;
  initrd_path?: string;
  boot_args?: string;
}

/** `#/definitions/TokenBucket`. */
export interface TokenBucket {
  size: number;
  refill_time: number;
  one_time_burst?: number;
}

/** `#/definitions/RateLimiter`. */
export interface RateLimiter {
  bandwidth?: TokenBucket;
  ops?: TokenBucket;
}

/** `#/definitions/Drive` (PUT /drives/{drive_id}), virtio-block form. */
export interface Drive {
  drive_id: string;
  is_root_device: boolean;
  path_on_host: string;
  is_read_only: boolean;
  partuuid?: string;
  cache_type?: "Unsafe" | "Writeback";
  io_engine?: "Sync" | "Async";
  rate_limiter?: RateLimiter;
}

/** `#/definitions/Vsock` (PUT /vsock). */
export interface Vsock {
  guest_cid: number;
  uds_path: string;
}

/** `#/definitions/NetworkInterface` (PUT /network-interfaces/{iface_id}). */
export interface NetworkInterface {
  iface_id: string;
  host_dev_name: string;
  guest_mac?: string;
  mtu?: number;
  rx_rate_limiter?: RateLimiter;
  tx_rate_limiter?: RateLimiter;
}

/** `#/definitions/Logger` (PUT /logger). */
export interface Logger {
  log_path?: string;
  level?: "Error" | "Warning" | "Info" | "Debug" | "Trace" | "Off";
  show_level?: boolean;
  show_log_origin?: boolean;
  module?: string;
}

/** `#/definitions/Metrics` (PUT /metrics). */
export interface Metrics {
  metrics_path: string;
}

/** `#/definitions/InstanceActionInfo` `action_type` (PUT /actions). */
export type InstanceActionType = "InstanceStart" | "SendCtrlAltDel" | "FlushMetrics";

/** `#/definitions/Vm` `state` (PATCH /vm). */
export type VmState = "Paused" | "Resumed";

/** `#/definitions/SnapshotCreateParams` (PUT /snapshot/create). */
export interface SnapshotCreateParams {
  snapshot_path: string;
  mem_file_path: string;
  snapshot_type?: "Full" | "Diff";
}

/** `#/definitions/MemoryBackend`. */
export interface MemoryBackend {
  backend_type: "File" | "Uffd";
  backend_path: string;
}

/** `#/definitions/NetworkOverride`. */
export interface NetworkOverride {
  iface_id: string;
  host_dev_name: string;
}

/**
 * `#/definitions/SnapshotLoadParams` (PUT /snapshot/load). The spec says exactly one of `mem_backend` and the
 * deprecated `mem_file_path` must be present; firebreak always sends `mem_backend`.
 */
export interface SnapshotLoadParams {
  snapshot_path: string;
  mem_backend: MemoryBackend;
  resume_vm?: boolean;
  track_dirty_pages?: boolean;
  network_overrides?: NetworkOverride[];
  vsock_override?: { uds_path: string };
  clock_realtime?: boolean;
}

/** `#/definitions/InstanceInfo` (GET /). */
export interface InstanceInfo {
  app_name: string;
  id: string;
  state: "Not started" | "Running" | "Paused";
  vmm_version: string;
}

/** `#/definitions/FirecrackerVersion` (GET /version). */
export interface FirecrackerVersion {
  firecracker_version: string;
}

/** One operation the client can perform: HTTP method and the spec's path template. */
export interface ApiOperation {
  method: "GET" | "PUT" | "PATCH";
  pathTemplate: string;
}

/**
 * Every operation `FirecrackerApiClient` uses. The contract test asserts each exists in the spec and that the client
 * exercises exactly these.
 */
export const FIRECRACKER_API_OPERATIONS: readonly ApiOperation[] = [
  { method: "GET", pathTemplate: "/" },
  { method: "GET", pathTemplate: "/version" },
  { method: "PUT", pathTemplate: "/machine-config" },
  { method: "PUT", pathTemplate: "/boot-source" },
  { method: "PUT", pathTemplate: "/drives/{drive_id}" },
  { method: "PUT", pathTemplate: "/vsock" },
  { method: "PUT", pathTemplate: "/network-interfaces/{iface_id}" },
  { method: "PUT", pathTemplate: "/logger" },
  { method: "PUT", pathTemplate: "/metrics" },
  { method: "PUT", pathTemplate: "/actions" },
  { method: "PATCH", pathTemplate: "/vm" },
  { method: "PUT", pathTemplate: "/snapshot/create" },
  { method: "PUT", pathTemplate: "/snapshot/load" },
];
