import { constants } from "node:fs";
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { spawnQemu } from "./qemu-process.js";
import { buildCmdline } from "./qemu-args.js";
import { execFileAsync } from "../../exec/exec-file.js";


/** A guest that has not started its agent by then under KVM is taken as hung (PVM hangs stock kernels). */
export const KVM_PROBE_TIMEOUT_MS = 15_000;
const PROBE_MEMORY_MB = 128;

export interface KvmVerdict {
  usable: boolean;
  reason: string;
  /** What the verdict depends on: a change of any of these probes again. */
  key: string;
  probedAt: string;
  /** Boot time to agent start under KVM, when it worked. */
  bootMs?: number;
}

export interface KvmProbeOptions {
  stateDir: string;
  qemuBinary: string;
  kernelPath: string;
  initrdPath?: string;
  /** Probe again even if a verdict is cached. */
  force?: boolean;
}

/**
 * Whether QEMU can use /dev/kvm here, proven by a real boot of the guest image to its
 * agent (a /dev/kvm that exists is not enough: PVM hosts hang stock guest kernels).
 * The verdict is cached in `<stateDir>/kvm-verdict.json` with its reason, keyed by host
 * kernel, QEMU binary and guest kernel.
 *
 * @example
 * const v = await probeKvm({ stateDir, qemuBinary: "qemu-system-x86_64", kernelPath, initrdPath });
 * const accel = v.usable ? "kvm" : "tcg"; // v.reason says why
 */
export async function probeKvm(opts: KvmProbeOptions): Promise<KvmVerdict> {
  const probedAt = new Date().toISOString();
  const accessible = await access("/dev/kvm", constants.R_OK | constants.W_OK).then(
    () => undefined,
    (err: NodeJS.ErrnoException) => err.code ?? "error",
  );
  if (accessible) return { usable: false, reason: `/dev/kvm not usable (${accessible})`, key: "no-dev-kvm", probedAt };

  const key = await verdictKey(opts);
  const cacheFile = path.join(opts.stateDir, "kvm-verdict.json");
  if (!opts.force) {
    const cached = await readFile(cacheFile, "utf8").then((s) => JSON.parse(s) as KvmVerdict, () => undefined);
    if (cached && cached.key === key) return cached;
  }
  const verdict = { ...(await bootUnderKvm(opts)), key, probedAt };
  await mkdir(opts.stateDir, { recursive: true });
  await writeFile(cacheFile, `${JSON.stringify(verdict, null, 2)}\n`);
  return verdict;
}

async function verdictKey(opts: KvmProbeOptions): Promise<string> {
  const qemuVersion = await execFileAsync(opts.qemuBinary, ["--version"]).then(
    (r) => r.stdout.split("\n")[0] ?? "",
    () => "unknown",
  );
  const kernel = await readFile(opts.kernelPath).then((b) => `${b.length}`, () => "missing");
  return [os.release(), qemuVersion, opts.kernelPath, kernel].join("|");
}

async function bootUnderKvm(opts: KvmProbeOptions): Promise<{ usable: boolean; reason: string; bootMs?: number }> {
  // Short path: Unix sockets must stay under 108 bytes.
  const runDir = await mkdtemp(path.join(os.tmpdir(), "fbkvm-"));
  let vm: Awaited<ReturnType<typeof spawnQemu>> | undefined;
  try {
    vm = await spawnQemu({
      runDir,
      ownsRunDir: true,
      launch: {
        binary: opts.qemuBinary,
        accel: "kvm",
        memoryMb: PROBE_MEMORY_MB,
        vcpus: 1,
        network: false,
        kernelPath: opts.kernelPath,
        initrdPath: opts.initrdPath,
        cmdline: buildCmdline({ accel: "kvm" }),
        ramShared: false,
        incoming: false,
      },
    });
    const started = vm.console.when("agentStart").then(() => "started" as const);
    const exited = vm.exited.then(() => "exited" as const);
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), KVM_PROBE_TIMEOUT_MS).unref());
    const outcome = await Promise.race([started, exited, timeout]);
    if (outcome === "started") {
      return { usable: true, reason: "a probe boot under KVM reached the guest agent", bootMs: vm.console.seen.agentStart };
    }
    if (outcome === "exited") {
      return { usable: false, reason: `QEMU with -accel kvm exited during the probe boot: ${lastLine(vm.stderrTail())}` };
    }
    return {
      usable: false,
      reason: `a probe boot under KVM did not reach the guest agent within ${KVM_PROBE_TIMEOUT_MS} ms (PVM or a broken KVM hangs guests)`,
    };
  } catch (err) {
    return { usable: false, reason: `QEMU could not start with -accel kvm: ${(err as Error).message}` };
  } finally {
    await vm?.kill();
    await rm(runDir, { recursive: true, force: true });
  }
}

function lastLine(text: string): string {
  return text.trim().split("\n").pop() ?? "(no output)";
}
