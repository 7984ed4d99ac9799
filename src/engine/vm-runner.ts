import type { ResourceLimits } from "../commands/types.js";
import type { VmTypeConfig } from "../vm/config-schema.js";

/** What the engine needs from the microVM runtime: availability, and running one script. */
export interface VmRunner {
  availability(): Promise<{ available: boolean; reason: string; backend?: string }>;
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
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface VmRunOutcome {
  exitCode: number;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
  details: Record<string, unknown>;
}

/** The runner used when no backend is configured or usable: it says why, and runs nothing. */
export function unavailableVmRunner(reason: string): VmRunner {
  return {
    availability: async () => ({ available: false, reason }),
    run: async () => {
      throw new Error(`no VM backend is available: ${reason}`);
    },
  };
}
