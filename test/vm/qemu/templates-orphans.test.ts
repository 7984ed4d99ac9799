/**
 * Real VMs (QEMU): a CLI killed with -9 leaves no QEMU, run dir or RAM file; a template keeps its allocated size
 * while clones write 100 MB each; clones of one template differ in boot_id and uuid and have the host's clock.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolvePaths } from "../../../src/paths.js";
import { AgentClient } from "../../../src/vm/agent/index.js";
import type { Snapshot, VmHandle } from "../../../src/vm/backend.js";
import { processStartTime } from "../../../src/vm/owner-record.js";
import { QemuBackend } from "../../../src/vm/qemu/qemu-backend.js";
import type { QemuVm } from "../../../src/vm/qemu/qemu-vm.js";
import { isolatedEnv, REPO_ROOT, tempDir, writeTree } from "../../helpers/tmp.js";
import { reportMissingVmEnv, specFor, vmTestEnv } from "./vm-env.js";

const env = await vmTestEnv();
reportMissingVmEnv(env, "templates and orphans");
const CLONES = 10;
const TOUCH_MB = 100;

/** QEMU children of `pid` (the CLI spawns QEMU directly, through setpriv's exec). */
function qemuChildren(pid: number): number[] {
  return fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number).filter((p) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // The VM, not the `--version` probe: its command line names its QMP socket.
      return Number(rest[1]) === pid && stat.includes("(qemu-system") && fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes("/qmp.sock");
    } catch {
      return false;
    }
  });
}

async function until<T>(probe: () => T | undefined, limitMs: number, what: string): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const got = probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`not within ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function run(vm: VmHandle, script: string): Promise<string> {
  const agent = new AgentClient(await vm.connectAgent());
  try {
    const r = await agent.exec({ script }, { collect: true });
    expect(r.exitCode, r.stderr?.toString()).toBe(0);
    return r.stdout?.toString() ?? "";
  } finally {
    agent.close();
  }
}

if (env.ok) {
  const image = env.image;

  describe("no orphans", () => {
    it("kill -9 of the CLI during vm exec leaves no QEMU, run dir or RAM file within 2 s", async () => {
      const home = tempDir("orph-home-");
      const project = tempDir("orph-proj-");
      writeTree(project, { "firebreak.toml": `[vm]\nbackend = "qemu"\ncache_dir = ${JSON.stringify(resolvePaths(process.env).stateDir)}\n` });
      const cli = spawn(process.execPath, [path.join(REPO_ROOT, "bin/firebreak.js"), "vm", "exec", "--", "sleep", "30"], { cwd: project, env: isolatedEnv(home), stdio: "ignore" });
      try {
        const qemuPid = await until(() => qemuChildren(cli.pid!)[0], 20_000, "the CLI's QEMU");
        const cmdline = fs.readFileSync(`/proc/${qemuPid}/cmdline`, "utf8").split("\0");
        const qmpArg = cmdline.find((a) => a.includes("/qmp.sock"));
        const memArg = cmdline.find((a) => a.includes("mem-path="));
        expect(qmpArg && memArg, cmdline.join(" ")).toBeTruthy();
        const runDir = qmpArg!.slice(qmpArg!.indexOf("/"), qmpArg!.indexOf("/qmp.sock"));
        const ramFile = /mem-path=([^,]+)/.exec(memArg!)![1]!;
        // Up = the guest runs the command: the agent socket exists and the owner record names the VMM.
        await until(() => (fs.existsSync(path.join(runDir, "agent.sock")) && fs.existsSync(ramFile) ? true : undefined), 30_000, "QEMU up");
        const start = processStartTime(qemuPid);
        cli.kill("SIGKILL");
        const killedAt = Date.now();
        await until(() => (processStartTime(qemuPid) !== start && !fs.existsSync(runDir) && !fs.existsSync(ramFile) ? true : undefined), 2000, `QEMU ${qemuPid}, ${runDir} and ${ramFile} gone`);
        expect(Date.now() - killedAt).toBeLessThanOrEqual(2000);
      } finally {
        cli.kill("SIGKILL");
      }
    }, 60_000);
  });

  describe("templates and their clones", () => {
    const backend = new QemuBackend();
    let snapshot: Snapshot;
    let templateVmRam: string;
    beforeAll(async () => {
      const vm = (await backend.boot(specFor(image, { diskMb: 128 }))) as QemuVm;
      templateVmRam = vm.process.ramFile;
      try {
        snapshot = await backend.snapshot(vm, path.join(tempDir("tpl-"), "snap"));
      } finally {
        await backend.destroy(vm);
      }
    }, 60_000);
    afterAll(() => {
      if (snapshot) fs.rmSync(snapshot.dir, { recursive: true, force: true });
    });

    it(`keeps its allocated size while ${CLONES} clones write ${TOUCH_MB} MB each, and leaves nothing in /dev/shm`, async () => {
      const ram = (snapshot as Snapshot & { ramFile: string }).ramFile;
      expect(path.dirname(ram)).toBe(snapshot.dir);
      expect(fs.existsSync(templateVmRam)).toBe(false);
      const blocksBefore = fs.statSync(ram).blocks;
      const shmBefore = new Set(fs.readdirSync("/dev/shm"));
      for (let i = 0; i < CLONES; i += 2) {
        await Promise.all(
          [0, 1].map(async () => {
            const clone = (await backend.restore(snapshot, specFor(image, { diskMb: 128 }))) as QemuVm;
            try {
              expect(clone.process.ownsRamFile).toBe(false);
              expect(await run(clone, `dd if=/dev/zero of=/work/fill bs=1M count=${TOUCH_MB} 2>/dev/null; du -m /work/fill | cut -f1`)).toBe(`${TOUCH_MB}\n`);
            } finally {
              await backend.destroy(clone);
            }
          }),
        );
      }
      expect(fs.statSync(ram).blocks).toBe(blocksBefore);
      const ours = fs.readdirSync("/dev/shm").filter((n) => !shmBefore.has(n) && n.startsWith("firebreak-"));
      // Other processes on the machine may make RAM files meanwhile; none of them may be this template's or a clone's.
      for (const n of ours) expect(fs.readFileSync(`/proc/self/maps`, "utf8")).not.toContain(n);
    }, 240_000);

    it("clones differ in boot_id and uuid and have the host's clock", async () => {
      const clones = await Promise.all([0, 1].map(() => backend.restore(snapshot, specFor(image, { diskMb: 128 }))));
      try {
        const seen = await Promise.all(clones.map((c) => run(c, "cat /proc/sys/kernel/random/boot_id /proc/sys/kernel/random/uuid; date +%s")));
        const hostS = Date.now() / 1000;
        const [a, b] = seen.map((s) => s.trim().split("\n"));
        expect(a![0]).not.toBe(b![0]);
        expect(a![1]).not.toBe(b![1]);
        for (const lines of [a!, b!]) expect(Math.abs(Number(lines[2]) - hostS)).toBeLessThanOrEqual(2);
      } finally {
        await Promise.all(clones.map((c) => backend.destroy(c)));
      }
    }, 120_000);
  });
}
