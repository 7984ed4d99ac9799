import type { VmRunner, VmRunOutcome, VmRunRequest } from "./run-request.js";
import { VmError } from "../errors.js";
import { CappedCapture } from "../exec/capture.js";
import { exitStatusOf } from "../exec/outcome.js";
import type { ResourceLimits } from "../commands/types.js";
import type { VmTypeConfig } from "./config-schema.js";
import { guestFitProblem, type HostCapacity, hostCapacity } from "./host-capacity.js";
import { namedPhases, recordVmPhases } from "./phases/record.js";
import type { VmRuntime } from "./runtime.js";
import { packWorkspace } from "./workspace-tar.js";
import type { WalkEntry } from "./agent/walk-listing.js";
import { captureWorkspaceChanges } from "./workspace-changes.js";
import { DirectVmSource, type VmLease, type VmSource } from "./vm-source.js";

/** Host paths mean nothing in the guest: its PATH, HOME and TMPDIR are its own. */
const GUEST_ENV = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root", TMPDIR: "/tmp" };
const HOST_ONLY_VARS = new Set(Object.keys(GUEST_ENV));

export function guestEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...GUEST_ENV };
  for (const [k, v] of Object.entries(env)) if (!HOST_ONLY_VARS.has(k)) out[k] = v;
  return out;
}

/** Where the working directory lands in the guest (a tmpfs sized by max_disk_mb). */
export const GUEST_WORKDIR = "/work";
const OUTPUT_CAP_BYTES = 1 << 20;

/**
 * Runs rendered scripts in microVMs for the engine: restore (or boot) a VM shaped by the command's
 * limits, copy the working directory in, run the script through the guest agent with RLIMIT_CPU
 * and a timeout, stream the output, and always destroy the VM.
 *
 * @example
 * const runner = new MicroVmRunner(new VmRuntime(config.vm, stateDir));
 * await runner.run({ script: "uname -r", cwd, env: {}, copyWorkspace: false });
 */
export class MicroVmRunner implements VmRunner {
  constructor(
    private readonly runtime: VmRuntime,
    /** Where VMs come from: the daemon's pool, else one made for each run. */
    source: VmSource | undefined = undefined,
    /** The host's memory and CPUs (read once, when first asked). */
    private readonly capacityOf: () => HostCapacity = hostCapacity,
  ) {
    this.source = source ?? new DirectVmSource(runtime);
  }

  private capacity: HostCapacity | undefined;

  fitProblem(limits: ResourceLimits | undefined, vmType?: VmTypeConfig): string | undefined {
    this.capacity ??= this.capacityOf();
    return guestFitProblem(this.runtime.shape(limits, vmType), this.capacity);
  }

  private readonly source: VmSource;
  private availabilityAnswer: Promise<{ available: boolean; reason: string; backend?: string }> | undefined;

  /** Asked once per decision: the answer is computed once per process. */
  availability(): Promise<{ available: boolean; reason: string; backend?: string }> {
    this.availabilityAnswer ??= this.runtime.select().then(({ backend, reasons }) =>
      backend ? { available: true, reason: reasons.at(-1) ?? "", backend: backend.name } : { available: false, reason: reasons.join("; ") || "no VM backend" },
    );
    return this.availabilityAnswer;
  }

  async run(req: VmRunRequest): Promise<VmRunOutcome> {
    const shape = this.runtime.shape(req.limits, req.vmType);
    const started = performance.now();
    const workspace = req.copyWorkspace ? await packWorkspace(req.cwd, this.runtime.config.copy_exclude, this.runtime.config.copy_max_mb * 1048576) : undefined;

    let lease: VmLease;
    try {
      lease = await this.source.acquire({ shape, snapshot: req.snapshot, signal: req.signal, onQueued: req.onQueued });
    } catch (error) {
      // Cancelled while waiting for capacity: nothing started.
      if (req.signal?.aborted) return cancelledOutcome(started, "none", "none");
      throw error;
    }
    const { vm, backend, image, agent } = lease;
    const readyMs = Math.round(performance.now() - started);
    for (const [phase, ms] of Object.entries(namedPhases(vm.phases))) req.onPhase?.(phase, ms);
    req.onPhase?.("ready", readyMs);
    // A pooled VM's start was recorded by the pool when it was made.
    if (lease.origin !== "pool") void recordVmPhases(this.runtime, vm, lease.origin === "boot" ? "boot" : "restore", { templateCreated: lease.templateCreated });
    let killedByHost: string | undefined;
    let hostTimer: NodeJS.Timeout | undefined;
    let cancelled = false;
    // Cancelling destroys the VM: the agent's channel closes and the pending exec ends.
    const onAbort = () => {
      cancelled = true;
      void lease.release();
    };
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      // The listing right after the copy-in (in the same reply) is what the command's changes are measured against.
      let baseline: WalkEntry[] | undefined;
      if (workspace && req.changes) baseline = await agent.putTarListed(GUEST_WORKDIR, workspace);
      else if (workspace) await agent.putTar(GUEST_WORKDIR, workspace);
      if (req.timeoutMs !== undefined) {
        // The agent kills the command at its timeout; if the guest stops answering, the host kills the VM.
        hostTimer = setTimeout(() => {
          killedByHost = `the VM did not finish within ${req.timeoutMs! + this.runtime.config.kill_grace_ms} ms and was destroyed by the host`;
          void lease.release();
        }, req.timeoutMs + this.runtime.config.kill_grace_ms);
      }
      const stdout = new CappedCapture(OUTPUT_CAP_BYTES);
      const stderr = new CappedCapture(OUTPUT_CAP_BYTES);
      const result = await agent.exec(
        {
          script: req.script,
          cwd: req.copyWorkspace ? GUEST_WORKDIR : "/",
          env: guestEnv(req.env),
          clearEnv: true,
          timeoutMs: req.timeoutMs,
          rlimits: req.limits?.max_cpu_time ? { cpuS: Math.ceil(req.limits.max_cpu_time) } : undefined,
        },
        {
          onStdout: (c) => {
            stdout.push(c);
            req.onStdout?.(c);
          },
          onStderr: (c) => {
            stderr.push(c);
            req.onStderr?.(c);
          },
        },
      );
      let changes: VmRunOutcome["changes"];
      let changesError: string | undefined;
      if (baseline && req.changes && !cancelled) {
        try {
          changes = await captureWorkspaceChanges(agent, GUEST_WORKDIR, baseline, req.changes);
        } catch (error) {
          if (cancelled) throw error;
          changesError = `the command's changes could not be brought back: ${(error as Error).message}`;
        }
      }
      return {
        exitCode: exitStatusOf({ code: result.exitCode, signal: result.signal, timedOut: result.timedOut }),
        signal: result.signal,
        timedOut: result.timedOut,
        durationMs: Math.round(performance.now() - started),
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutBytes: result.stdoutBytes,
        stderrBytes: result.stderrBytes,
        changes,
        details: {
          backend: backend.name,
          vm: vm.id,
          ready_ms: readyMs,
          origin: lease.origin,
          pool_type: lease.poolType ?? null,
          queued_ms: lease.queuedMs ?? null,
          restored_from: lease.restoredFrom ?? null,
          template_created: lease.templateCreated,
          phases: namedPhases(vm.phases),
          unenforced: vm.unenforced,
          shape,
          image: image.key,
          kernel: image.kernelRelease,
          changes_error: changesError ?? null,
        },
      };
    } catch (error) {
      if (cancelled) return cancelledOutcome(started, backend.name, vm.id);
      if (killedByHost) throw new VmError(killedByHost, { cause: error });
      throw error;
    } finally {
      req.signal?.removeEventListener("abort", onAbort);
      clearTimeout(hostTimer);
      // A pooled VM is killed here either way; waiting for QEMU to be reaped (~10-20 ms under load) is the pool's.
      if (lease.releaseTracked) void lease.release().catch(() => undefined);
      else await lease.release();
    }
  }
}

function cancelledOutcome(started: number, backend: string, vm: string): VmRunOutcome {
  return {
    exitCode: exitStatusOf({ code: null, signal: null, timedOut: false, cancelled: true }),
    signal: null,
    timedOut: false,
    cancelled: true,
    killReason: "cancelled: the microVM was destroyed",
    durationMs: Math.round(performance.now() - started),
    stdout: "",
    stderr: "",
    stdoutBytes: 0,
    stderrBytes: 0,
    details: { backend, vm, cancelled: true },
  };
}
