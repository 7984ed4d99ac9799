import { Command } from "commander";
import { UsageError, VmError } from "../errors.js";
// The VM stack (QEMU and Firecracker backends, image builder) loads when a `vm` subcommand runs, not with the CLI.
import { bootAnalysisText } from "./view/boot-phases-text.js";
import { buildStage, IMAGE_HEARTBEAT_MS, Progress } from "./view/progress.js";
import type { CliDeps } from "./deps.js";
import type { VmRuntime } from "../vm/runtime.js";
import type { buildGuestImage } from "../vm/image/builder.js";
import { paint, table } from "./output.js";

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive whole number, got '${value}'`);
  return n;
};

export function vmCommand(deps: CliDeps): Command {
  const cmd = new Command("vm").description("the microVM runtime: doctor, guest image, boot, exec, snapshots, bench");
  const o = deps.output;
  const runtimeOf = async (self: Command, overrides: Partial<VmRuntime["config"]> = {}) => {
    const ctx = await deps.context(self.parent!.parent!);
    const { VmRuntime } = await import("../vm/runtime.js");
    return { ctx, runtime: new VmRuntime({ ...ctx.config.vm, ...overrides }, ctx.stateDir) };
  };

  cmd
    .command("doctor")
    .description("which backends work here and why, the KVM verdict, the guest image")
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { json?: boolean }, self: Command) => {
      const { runtime } = await runtimeOf(self);
      const { vmDoctor } = await import("../vm/doctor.js");
      const report = await vmDoctor(runtime);
      const { backends: checks, image, snapshots } = report;
      if (opts.json) return o.json(report);
      for (const c of checks) {
        o.out(`${paint(o, c.available ? "green" : "red", c.available ? "available  " : "unavailable")} ${c.backend}${c.accel ? ` (${c.accel})` : ""}`);
        for (const r of c.reasons) o.out(`    ${r}`);
      }
      o.out(image ? `image: ${image.key} (kernel ${image.kernelRelease}, built ${image.builtAt}) in ${image.dir}` : "image: not built (run: firebreak vm image build)");
      o.out(`snapshots: ${snapshots.filter((s) => s.usable).length} usable of ${snapshots.length}`);
      o.out(`orphans: ${report.vmm_lifetime.reason}`);
      for (const w of report.warnings) o.out(`${paint(o, "yellow", "warning")} ${w}`);
      o.out(`selected: ${report.selected ? paint(o, "green", report.selected) : paint(o, "red", "none — commands that need a microVM are refused")} ([vm] backend = "${report.configured}")`);
    });

  const image = cmd.command("image").description("the guest image (kernel + initramfs from Debian packages)");
  image
    .command("build")
    .description("build the guest image if its inputs changed (progress on stderr)")
    .option("--force", "rebuild even if a cached image matches")
    .action(async (opts: { force?: boolean }, self: Command) => {
      const ctx = await deps.context(self.parent!.parent!.parent!);
      // A first kernel build is minutes of silence from make: show the stage and the elapsed time meanwhile.
      const progress = new Progress({ tty: Boolean(process.stderr.isTTY), prefix: "firebreak image", write: (t) => process.stderr.write(t), heartbeatMs: IMAGE_HEARTBEAT_MS });
      const onLine = (line: string) => {
        progress.above(() => o.err(line));
        progress.stage(buildStage(line));
      };
      let built: Awaited<ReturnType<typeof buildGuestImage>>;
      try {
        const [{ buildGuestImage }, { VmRuntime }] = await Promise.all([import("../vm/image/builder.js"), import("../vm/runtime.js")]);
        built = await buildGuestImage({ stateDir: new VmRuntime(ctx.config.vm, ctx.stateDir).stateDir, force: opts.force, progress: onLine });
      } finally {
        progress.stop();
      }
      o.out(`image ${built.key}: kernel ${built.kernelRelease}\n  bzImage ${built.bzImage}\n  vmlinux ${built.vmlinux}\n  initrd  ${built.initrd}`);
    });

  cmd
    .command("boot")
    .description("cold-boot one VM to agent-ready, print its phase timings, destroy it; --analyze: against the last boots, and why")
    .option("--memory <mb>", "guest RAM in MiB", positiveInt("--memory"))
    .option("--analyze", "record the boot, mark its slowest phase against the last N comparable boots and name the cause")
    .option("--restore", "with --analyze: restore from the shape's template snapshot instead of a cold boot")
    .option("--last <n>", "with --analyze: how many earlier comparable boots to compare with", positiveInt("--last"), 20)
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { memory?: number; analyze?: boolean; restore?: boolean; last: number; json?: boolean }, self: Command) => {
      const { runtime } = await runtimeOf(self);
      if (opts.restore && !opts.analyze) throw new UsageError("--restore goes with --analyze: firebreak vm boot --analyze --restore");
      if (opts.analyze) {
        const { bootAndAnalyze } = await import("../vm/phases/probe.js");
        const report = await bootAndAnalyze(runtime, { restore: opts.restore, memoryMb: opts.memory, lastN: opts.last });
        if (opts.json) return o.json(report);
        return o.out(bootAnalysisText(o, report));
      }
      const { bootProbe } = await import("../vm/doctor.js");
      const report = await bootProbe(runtime, opts.memory);
      if (opts.json) return o.json(report);
      o.out(`booted ${report.vm} with ${report.backend} in ${report.total_ms} ms (agent ping ${report.ping_ms.toFixed(2)} ms)`);
      o.out(table([["PHASE", "MS SINCE SPAWN"], ...Object.entries(report.phases_ms).map(([k, v]) => [k, String(v)])]));
    });

  cmd
    .command("exec [line...]")
    .description("run a shell line in a fresh microVM and exit with the guest's status: firebreak vm exec -- 'uname -r'")
    .option("--snapshot", "restore from the template snapshot (made on first use) instead of a cold boot")
    .option("--memory <mb>", "guest RAM in MiB", positiveInt("--memory"))
    .option("--timeout <s>", "seconds before the command is killed (default: [vm] exec_timeout_ms, 300 s)", positiveInt("--timeout"))
    .option("--network", "give the VM a NIC (user-mode networking)")
    .option("--copy", "copy the working directory into the guest's /work first")
    .action(async (words: string[], opts: { snapshot?: boolean; memory?: number; timeout?: number; network?: boolean; copy?: boolean }, self: Command) => {
      const line = words.join(" ");
      if (!line.trim()) throw new UsageError("give a shell line: firebreak vm exec -- '<line>'");
      const ctx = await deps.context(self.parent!.parent!);
      // VMs of firebreak processes that died before cleaning up: reaped here (cheap when there are none).
      const [{ reapOrphans }, { VmRuntime }, { vmExec }] = await Promise.all([import("../vm/orphans.js"), import("../vm/runtime.js"), import("../engine/vm-exec.js")]);
      await reapOrphans({ stateDir: new VmRuntime(ctx.config.vm, ctx.stateDir).stateDir }).catch(() => undefined);
      const result = await vmExec(
        ctx,
        { line, cwd: deps.cwd, memoryMb: opts.memory, timeoutMs: opts.timeout ? opts.timeout * 1000 : undefined, network: opts.network, copyWorkspace: opts.copy, snapshot: Boolean(opts.snapshot) },
        { emit: (e) => e.type === "output" && process[e.stream].write(e.chunk), signal: deps.signal },
      );
      if (result.killReason) o.err(`firebreak: vm exec ${result.killReason}`);
      deps.setExitStatus(result.exitCode);
    });

  const snapshot = cmd.command("snapshot").description("template snapshots that VMs are restored from");
  snapshot
    .command("create")
    .description("make (or reuse) the template snapshot for a VM shape")
    .option("--memory <mb>", "guest RAM in MiB", positiveInt("--memory"))
    .action(async (opts: { memory?: number }, self: Command) => {
      const { runtime } = await runtimeOf(self.parent!);
      const { backend, reasons } = await runtime.select();
      const img = await runtime.image();
      if (!backend || !img) throw new VmError(`no VM backend is available: ${reasons.join("; ")}`);
      const shape = runtime.shape(opts.memory ? { max_memory_mb: opts.memory } : undefined);
      const { snapshot: snap, created } = await runtime.template(backend, img, shape);
      o.out(`${created ? "created" : "exists"}: ${runtime.templateName(backend, img, shape)} (${snap.id}) in ${snap.dir}`);
    });
  snapshot
    .command("list")
    .description("list template snapshots")
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { json?: boolean }, self: Command) => {
      const { runtime } = await runtimeOf(self.parent!);
      const list = await runtime.listSnapshots();
      if (opts.json) return o.json(list);
      if (!list.length) return o.out("no snapshots");
      o.out(table([["NAME", "USABLE", "CREATED"], ...list.map((s) => [s.name, s.usable ? "yes" : "no (RAM template gone)", s.createdAt ?? "-"])]));
    });
  snapshot
    .command("rm <name>")
    .description("remove a template snapshot and its RAM file")
    .action(async (name: string, _opts: unknown, self: Command) => {
      const { runtime } = await runtimeOf(self.parent!);
      await runtime.removeSnapshot(name);
      o.out(`removed ${name}`);
    });

  cmd
    .command("bench")
    .description("cold boot, restore and exec round trip: medians, min/max, restore/cold ratio")
    .option("--runs <n>", "runs of each", positiveInt("--runs"), 5)
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { runs: number; json?: boolean }, self: Command) => {
      const { runtime } = await runtimeOf(self);
      // Never a surprise kernel build from a benchmark: build with `vm image build`.
      const { runVmBench } = await import("../vm/bench.js");
      const r = await runVmBench({ runs: opts.runs, stateDir: runtime.stateDir, buildImage: false, progress: (l) => o.err(l) });
      if (opts.json) return o.json(r);
      const row = (name: string, s: { median: number; min: number; max: number }) => [name, String(s.median), String(s.min), String(s.max)];
      o.out(table([["MEASURE", "MEDIAN MS", "MIN", "MAX"], row("cold boot to agent-ready", r.cold_boot_ms), row("restore to agent-ready", r.restore_ms), row("exec round trip", r.exec_rtt_ms)]));
      o.out(`restore/cold: ${r.restore_to_cold.toFixed(3)}`);
    });
  return cmd;
}
