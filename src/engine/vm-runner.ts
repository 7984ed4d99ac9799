import type { ResourceLimits } from "../commands/types.js";
import type { ExecOutcome } from "../exec/outcome.js";
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
  /** Relative globs of files to copy back into the working directory afterwards. */
  artifacts?: string[];
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface VmRunOutcome extends ExecOutcome {
  details: Record<string, unknown>;
}
