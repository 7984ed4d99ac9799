import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolvePaths } from "../../src/paths.js";
import { findGuestImage } from "../../src/vm/image/builder.js";
import type { BootAnalysisReport } from "../../src/vm/phases/probe.js";
import { type BootPhaseRecord, PHASES_FILE } from "../../src/vm/phases/record.js";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

// The guest image comes from the machine's state dir (built by `npm test`'s setup); each test gets its own cache dir
// that links to it, so its phase records and templates are its own.
const IMAGE_STATE_DIR = resolvePaths(process.env).stateDir;
const image = await findGuestImage({ stateDir: IMAGE_STATE_DIR }).catch(() => undefined);
const missing = image ? undefined : `no guest image in ${IMAGE_STATE_DIR} (run: firebreak vm image build)`;

let env: NodeJS.ProcessEnv;
let project: string;
let cache: string;
const cli = (...args: string[]) => runCli(args, { cwd: project, env });
const records = (): BootPhaseRecord[] =>
  fs.existsSync(path.join(cache, PHASES_FILE))
    ? fs.readFileSync(path.join(cache, PHASES_FILE), "utf8").trim().split("\n").map((l) => JSON.parse(l) as BootPhaseRecord)
    : [];
const projectToml = (extra = "") => `[vm]\nbackend = "qemu"\ncache_dir = ${JSON.stringify(cache)}\n${extra}`;

beforeAll(() => {
  if (process.env.CI && missing) throw new Error(missing);
});

beforeEach(() => {
  ({ project, env } = freshCliProject());
  cache = tempDir("fb-cache-");
  fs.symlinkSync(path.join(IMAGE_STATE_DIR, "images"), path.join(cache, "images"));
  // The KVM verdict, so no test pays a probe boot.
  const verdict = path.join(IMAGE_STATE_DIR, "kvm-verdict.json");
  if (fs.existsSync(verdict)) fs.copyFileSync(verdict, path.join(cache, "kvm-verdict.json"));
  writeTree(project, { "firebreak.toml": projectToml() });
});

describe("vm exec admission (no VM needed)", () => {
  it("a guest larger than the host can hold is refused before any VM starts, with the reason", async () => {
    const hostMb = Math.ceil(os.totalmem() / 1048576);
    const r = await cli("vm", "exec", "--memory", String(hostMb), "--", "true");
    expect(r.code).toBe(77);
    expect(r.stderr).toContain(`a microVM with ${hostMb} MiB of RAM cannot be held by this host`);
    expect(records()).toEqual([]); // nothing booted
    const [audited] = JSON.parse((await cli("audit", "tail", "-n", "1", "--json")).stdout) as { kind: string; reasons: string[] }[];
    expect(audited).toMatchObject({ kind: "refused", reasons: [expect.stringContaining("cannot be held by this host")] });
  });
});

describe.skipIf(Boolean(missing) && !process.env.CI)(`boot phases and vm exec through the CLI${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("vm boot --analyze compares the boot with the last comparable boots and marks the slowest phase", async () => {
    // Three earlier boots far faster than any real one: every phase of the new boot is slower than its median.
    const earlier = (i: number): BootPhaseRecord => ({ at: new Date(Date.now() - 60_000 + i).toISOString(), backend: "qemu", kind: "boot", shape: { vcpus: 1, memoryMb: 256 }, phases: { spawn: 0, vmm_ready: 1, kernel_start: 2, init: 3, agent_ready: 4 }, total_ms: 4 });
    const other: BootPhaseRecord = { ...earlier(9), shape: { vcpus: 1, memoryMb: 512 } };
    fs.writeFileSync(path.join(cache, PHASES_FILE), [earlier(1), earlier(2), other, earlier(3)].map((r) => `${JSON.stringify(r)}\n`).join(""));
    const r = await cli("vm", "boot", "--analyze", "--last", "2");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^booted VM \S+ with qemu \((tcg|kvm)\), 1 vCPU, 256 MiB: agent ready in \d+ ms \(median of the last 2: 4 ms, x[\d.]+\)$/);
    expect(lines[1]).toMatch(/^PHASE +AT MS +TOOK MS +MEDIAN MS +RATIO$/);
    for (const phase of ["vmm_ready", "kernel_start", "init", "agent_ready", "warm_up"]) expect(r.stdout).toMatch(new RegExp(`^${phase} +\\d+`, "m"));
    expect(r.stdout.match(/<- slowest/g)).toHaveLength(1);
    const all = records();
    expect(all).toHaveLength(5);
    expect(all.at(-1)).toMatchObject({ kind: "boot", backend: "qemu", shape: { vcpus: 1, memoryMb: 256 }, phases: { spawn: 0, warm_up: expect.any(Number) } });
  });

  it("vm boot --analyze --restore --json: the first restore of a template just made, recorded", async () => {
    try {
      const r = await cli("vm", "boot", "--analyze", "--restore", "--json");
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as BootAnalysisReport;
      expect(report.record).toMatchObject({ kind: "restore", template_created: true, phases: { restore: expect.any(Number), agent_ready: expect.any(Number) } });
      expect(report.record.phases.kernel_start).toBeUndefined();
      expect(report.analysis).toMatchObject({ kind: "restore", compared: 0, slowest: expect.any(String) });
      expect(report.analysis.phases.map((p) => p.phase)).toEqual(["spawn", "vmm_ready", "restore", "agent_ready", "warm_up"]);
      expect(records()).toEqual([report.record]);
    } finally {
      const listed = JSON.parse((await cli("vm", "snapshot", "list", "--json")).stdout) as { name: string }[];
      for (const s of listed) await cli("vm", "snapshot", "rm", s.name);
    }
  });

  it("vm exec without --timeout is ended by [vm] exec_timeout_ms like any timeout (124, reason), and its boot is recorded", async () => {
    writeTree(project, { "firebreak.toml": projectToml("exec_timeout_ms = 1500\n") });
    const r = await cli("vm", "exec", "--", "echo started; sleep 30");
    expect(r.stdout).toBe("started\n");
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/firebreak: vm exec timed out after \d+ ms in the microVM/);
    expect(records()).toEqual([expect.objectContaining({ kind: "boot", backend: "qemu", phases: expect.objectContaining({ agent_ready: expect.any(Number) }) })]);
  });
});
