import type { ResourceLimits } from "../commands/types.js";
import type { ExecOutcome } from "../exec/outcome.js";
import type { VmTypeConfig } from "./config-schema.js";
import type { CapturedChanges, CaptureOptions } from "./workspace-changes.js";

/** What the engine needs from the microVM runtime: availability, whether a shape fits the host, and running one script. */
export interface VmRunner {
  availability(): Promise<{ available: boolean; reason: string; backend?: string }>;
  /**
   * Why a VM for these limits (over the role's vm_type) can never be held by this host, else undefined: asked at plan
   * time, so an impossible guest is refused with the reason instead of failing (or starving the host) when it starts.
   */
  fitProblem?(limits: ResourceLimits | undefined, vmType?: VmTypeConfig): string | undefined | Promise<string | undefined>;
  run(request: VmRunRequest): Promise<VmRunOutcome>;
}

export interface VmRunRequest {
  script: string;
  cwd: string;
  env: Record<string, string>;
  limits?: ResourceLimits;
  /** The role's `[vm_types.<name>]`, under the command's own limits. */
  vmType?: VmTypeConfig;
  timeoutMs?: number;
  /** Copy the working directory into the guest before running. */
  copyWorkspace: boolean;
  /** Bring back what the command changed in the copied workspace (needs `copyWorkspace`). */
  changes?: CaptureOptions;
  /** Use (or make) the shape's template snapshot; default: the runtime's `[vm] snapshots`. */
  snapshot?: boolean;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Each boot or restore phase as it completes, in ms since the VM was asked for. */
  onPhase?: (phase: string, ms: number) => void;
  /** While waiting for VM capacity: how many requests are ahead. */
  onQueued?: (ahead: number) => void;
  /** Aborting destroys the VM; the run then ends with a cancelled outcome. */
  signal?: AbortSignal;
}

export interface VmRunOutcome extends ExecOutcome {
  details: Record<string, unknown>;
  /** What the command changed in the workspace copy (when asked for and the VM lived to tell). */
  changes?: CapturedChanges;
}
