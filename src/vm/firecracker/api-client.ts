import { FirecrackerApiError, VmError } from "../../errors.js";
import type {
  BootSource,
  Drive,
  FirecrackerVersion,
  InstanceActionType,
  InstanceInfo,
  Logger,
  MachineConfiguration,
  Metrics,
  NetworkInterface,
  SnapshotCreateParams,
  SnapshotLoadParams,
  VmState,
  Vsock,
} from "./api-types.js";
import { unixHttpRequest } from "./unix-http.js";

export const DEFAULT_API_TIMEOUT_MS = 5_000;
/** Loading a snapshot maps guest memory and restores devices: allow it longer than a plain request. */
export const DEFAULT_SNAPSHOT_TIMEOUT_MS = 60_000;

/** Firecracker accepts resource ids of ASCII letters, digits and underscores, at most 64 characters. */
const RESOURCE_ID = /^[A-Za-z0-9_]{1,64}$/;

export interface FirecrackerApiClientOptions {
  /** Host path of the `--api-sock` Unix socket. */
  socketPath: string;
  requestTimeoutMs?: number;
  snapshotTimeoutMs?: number;
}

/**
 * Typed client for the Firecracker API over its Unix socket. Every method sends exactly one request; a non-2xx answer
 * throws `FirecrackerApiError` (status, method, path, `fault_message`), an unreachable socket or a missed deadline
 * throws `FirecrackerConnectionError`.
 *
 * @example
 *   const api = new FirecrackerApiClient({ socketPath: "/run/vm1/api.sock" });
 *   await api.putMachineConfig({ vcpu_count: 1, mem_size_mib: 256 });
 *   await api.putBootSource({ kernel_image_path: "/img/vmlinux", boot_args: "console=ttyS0" });
 *   await api.instanceStart();
 */
export class FirecrackerApiClient {
  readonly socketPath: string;
  private readonly requestTimeoutMs: number;
  private readonly snapshotTimeoutMs: number;

  constructor(options: FirecrackerApiClientOptions) {
    this.socketPath = options.socketPath;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_API_TIMEOUT_MS;
    this.snapshotTimeoutMs = options.snapshotTimeoutMs ?? DEFAULT_SNAPSHOT_TIMEOUT_MS;
  }

  /** GET / — instance id, state and VMM version. */
  describeInstance(): Promise<InstanceInfo> {
    return this.getJson<InstanceInfo>("/");
  }

  /** GET /version. */
  getVersion(): Promise<FirecrackerVersion> {
    return this.getJson<FirecrackerVersion>("/version");
  }

  putMachineConfig(body: MachineConfiguration): Promise<void> {
    return this.send("PUT", "/machine-config", body);
  }

  putBootSource(body: BootSource): Promise<void> {
    return this.send("PUT", "/boot-source", body);
  }

  /** PUT /drives/{drive_id}; the path id is the body's `drive_id` (Firecracker requires them equal). */
  async putDrive(body: Drive): Promise<void> {
    return this.send("PUT", `/drives/${resourceId(body.drive_id, "drive_id")}`, body);
  }

  putVsock(body: Vsock): Promise<void> {
    return this.send("PUT", "/vsock", body);
  }

  /** PUT /network-interfaces/{iface_id}; the path id is the body's `iface_id`. */
  async putNetworkInterface(body: NetworkInterface): Promise<void> {
    return this.send("PUT", `/network-interfaces/${resourceId(body.iface_id, "iface_id")}`, body);
  }

  putLogger(body: Logger): Promise<void> {
    return this.send("PUT", "/logger", body);
  }

  putMetrics(body: Metrics): Promise<void> {
    return this.send("PUT", "/metrics", body);
  }

  /** PUT /actions with one of the synchronous actions. */
  action(actionType: InstanceActionType): Promise<void> {
    return this.send("PUT", "/actions", { action_type: actionType });
  }

  instanceStart(): Promise<void> {
    return this.action("InstanceStart");
  }

  sendCtrlAltDel(): Promise<void> {
    return this.action("SendCtrlAltDel");
  }

  flushMetrics(): Promise<void> {
    return this.action("FlushMetrics");
  }

  /** PATCH /vm. */
  setVmState(state: VmState): Promise<void> {
    return this.send("PATCH", "/vm", { state });
  }

  pause(): Promise<void> {
    return this.setVmState("Paused");
  }

  resume(): Promise<void> {
    return this.setVmState("Resumed");
  }

  /** PUT /snapshot/create; the VM must be paused. */
  createSnapshot(body: SnapshotCreateParams): Promise<void> {
    return this.send("PUT", "/snapshot/create", body, this.snapshotTimeoutMs);
  }

  /** PUT /snapshot/load; only accepted by a fresh process (nothing configured but logger and metrics). */
  loadSnapshot(body: SnapshotLoadParams): Promise<void> {
    return this.send("PUT", "/snapshot/load", body, this.snapshotTimeoutMs);
  }

  private async getJson<T>(path: string): Promise<T> {
    const res = await unixHttpRequest({ socketPath: this.socketPath, method: "GET", path, timeoutMs: this.requestTimeoutMs });
    if (res.status !== 200) throw apiError(res.status, "GET", path, res.body);
    try {
      return JSON.parse(res.body) as T;
    } catch (err) {
      throw new VmError(`firecracker API GET ${path} answered 200 with a body that is not JSON: ${truncate(res.body)}`, {
        cause: err,
      });
    }
  }

  private async send(method: "PUT" | "PATCH", path: string, body: unknown, timeoutMs = this.requestTimeoutMs): Promise<void> {
    const res = await unixHttpRequest({ socketPath: this.socketPath, method, path, body, timeoutMs });
    if (res.status < 200 || res.status > 299) throw apiError(res.status, method, path, res.body);
  }
}

function resourceId(id: string, field: string): string {
  if (!RESOURCE_ID.test(id)) {
    throw new VmError(`invalid firecracker ${field} ${JSON.stringify(id)}: use 1-64 ASCII letters, digits or underscores`);
  }
  return id;
}

/** Maps an error answer to `FirecrackerApiError`, preferring Firecracker's `fault_message`. */
function apiError(status: number, method: string, path: string, body: string): FirecrackerApiError {
  let fault = body.trim();
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object" && typeof (parsed as { fault_message?: unknown }).fault_message === "string") {
      fault = (parsed as { fault_message: string }).fault_message;
    }
  } catch {
    // not JSON: keep the raw text
  }
  return new FirecrackerApiError(status, method, path, truncate(fault) || "(empty response body)");
}

function truncate(text: string, maxChars = 500): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
