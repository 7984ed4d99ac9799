import { existsSync, readdirSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AgentClosedError } from "../../../src/errors.js";
import { AgentClient } from "../../../src/vm/agent/index.js";
import { QemuBackend, type QemuVm, removeQemuSnapshot } from "../../../src/vm/qemu/index.js";
import { reportMissingVmEnv, specFor, vmTestEnv } from "./vm-env.js";

// Real microVMs under TCG (the backend's probe decides KVM; here it is forced to TCG so the
// tests do not depend on the host's KVM). Each test creates and destroys its own VMs.
const env = await vmTestEnv();
reportMissingVmEnv(env, "QEMU microVM backend");

const VM_TEST_TIMEOUT_MS = 120_000;
const backend = new QemuBackend({ accel: "tcg" });
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function boot(over: Parameters<typeof specFor>[1] = {}) {
  if (!env.ok) throw new Error("unreachable");
  const spec = specFor(env.image, over);
  cleanups.push(async () => rmSync(path.dirname(spec.runDir), { recursive: true, force: true }));
  const vm = (await backend.boot(spec)) as QemuVm;
  cleanups.push(() => backend.destroy(vm));
  const agent = new AgentClient(await vm.connectAgent());
  cleanups.push(async () => agent.close());
  return { vm, agent, spec };
}

async function sh(agent: AgentClient, script: string, timeoutMs?: number) {
  const r = await agent.exec({ script, timeoutMs }, { collect: true });
  return { ...r, out: r.stdout?.toString() ?? "", err: r.stderr?.toString() ?? "" };
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

describe.skipIf(!env.ok)("QEMU microVM backend (real guests under TCG)", { timeout: VM_TEST_TIMEOUT_MS }, () => {
  it("boots to a guest agent that answers hello, with phase timings, and destroy leaves nothing", async () => {
    const { vm, agent, spec } = await boot();
    const hello = await agent.hello();
    expect(hello.agent).toBe("firebreak-agent");
    expect(vm.phases.vmmReady).toBeGreaterThan(0);
    expect(vm.phases.init).toBeGreaterThan(0);
    expect(vm.phases.agentReady).toBeGreaterThanOrEqual(vm.phases.init ?? 0);
    expect(vm.unenforced).toEqual([]);
    expect(existsSync(vm.consoleLog)).toBe(true);
    const ramFile = vm.process.ramFile;
    expect(existsSync(ramFile)).toBe(true);

    await backend.destroy(vm);
    await backend.destroy(vm); // safe twice
    expect(processGone(vm.process.pid)).toBe(true);
    expect(existsSync(spec.runDir)).toBe(false);
    expect(existsSync(ramFile)).toBe(false);
    expect(await vm.exited).toMatchObject({ signal: "SIGKILL" });
  });

  it("runs commands: stdout, stderr, exit codes, and uname shows the guest kernel", async () => {
    const { agent } = await boot();
    const r = await sh(agent, "echo out; echo err >&2; exit 3");
    expect(r).toMatchObject({ out: "out\n", err: "err\n", exitCode: 0 + 3, signal: null, timedOut: false });
    expect((await sh(agent, "true")).exitCode).toBe(0);
    expect((await sh(agent, "kill -9 $$")).signal).toBe("SIGKILL");
    const uname = (await sh(agent, "uname -r")).out.trim();
    if (!env.ok) throw new Error("unreachable");
    expect(uname).toBe(env.image.kernelRelease);
    expect(uname).not.toBe(os.release());
  });

  it("kills a command at its timeout, and the VM stays usable", async () => {
    const { agent } = await boot();
    const r = await sh(agent, "echo started; sleep 30", 1000);
    expect(r.timedOut).toBe(true);
    expect(r.out).toBe("started\n");
    expect(r.durationMs).toBeLessThan(10_000);
    expect((await sh(agent, "echo still here")).out).toBe("still here\n");
  });

  it("enforces limits: no NIC without network, a sized /work, RAM as asked", async () => {
    const { agent } = await boot({ diskMb: 8, memoryMb: 128 });
    expect((await sh(agent, "ls /sys/class/net")).out.trim()).toBe("lo");
    const full = await sh(agent, "dd if=/dev/zero of=/work/big bs=1M count=16 2>&1; echo rc=$?");
    expect(full.out).toMatch(/No space left on device/);
    expect(full.out).toMatch(/rc=1/);
    const tmpAlsoCounts = await sh(agent, "df -k /tmp | tail -1");
    expect(tmpAlsoCounts.out).toMatch(/\s8192\s/);
    const memKb = Number(/MemTotal:\s+(\d+)/.exec((await sh(agent, "cat /proc/meminfo")).out)?.[1]);
    expect(memKb).toBeGreaterThan(64 * 1024);
    expect(memKb).toBeLessThanOrEqual(128 * 1024);
    expect((await sh(agent, "touch /rootfile")).exitCode).not.toBe(0); // the initramfs root is read-only
  });

  it("gives the guest a configured NIC with network: true", async () => {
    const { agent } = await boot({ network: true });
    const r = await sh(agent, "ip -4 addr show eth0; ip route");
    expect(r.out).toContain("10.0.2.15/24");
    expect(r.out).toContain("default via 10.0.2.2");
  });

  it("gives the guest the vCPUs asked for", async () => {
    const { agent } = await boot({ vcpus: 2 });
    expect((await sh(agent, "grep -c ^processor /proc/cpuinfo")).out.trim()).toBe("2");
  });

  it("snapshots, then restores isolated clones that run commands", async () => {
    if (!env.ok) throw new Error("unreachable");
    const { vm, agent } = await boot();
    await sh(agent, "echo template > /work/marker");
    agent.close();
    const snapDir = await mkdtemp(path.join(os.tmpdir(), "fbsnap-"));
    cleanups.push(() => removeQemuSnapshot(snapDir));
    const snapshot = await backend.snapshot(vm, snapDir);
    await backend.destroy(vm);

    const clones = [];
    for (let i = 0; i < 2; i++) {
      const spec = specFor(env.image);
      cleanups.push(async () => rmSync(path.dirname(spec.runDir), { recursive: true, force: true }));
      const clone = await backend.restore(snapshot, spec);
      cleanups.push(() => backend.destroy(clone));
      expect(clone.phases.restore).toBeGreaterThan(0);
      expect(clone.phases.agentReady).toBeGreaterThanOrEqual(clone.phases.restore ?? 0);
      const a = new AgentClient(await clone.connectAgent());
      cleanups.push(async () => a.close());
      clones.push(a);
    }
    const [a, b] = clones as [AgentClient, AgentClient];
    expect((await sh(a, "cat /work/marker")).out).toBe("template\n");
    await sh(a, "echo only-a > /work/marker");
    expect((await sh(b, "cat /work/marker")).out).toBe("template\n");
    expect((await sh(a, "cat /work/marker")).out).toBe("only-a\n");
    // A QEMU prepared ahead restores on demand; a cancelled one leaves nothing behind.
    const readySpec = specFor(env.image);
    cleanups.push(async () => rmSync(path.dirname(readySpec.runDir), { recursive: true, force: true }));
    const ready = await backend.prepareRestore(snapshot, readySpec);
    const late = await ready.complete();
    cleanups.push(() => backend.destroy(late));
    const c = new AgentClient(await late.connectAgent());
    cleanups.push(async () => c.close());
    expect((await sh(c, "cat /work/marker")).out).toBe("template\n");
    const cancelSpec = specFor(env.image);
    cleanups.push(async () => rmSync(path.dirname(cancelSpec.runDir), { recursive: true, force: true }));
    const unused = await backend.prepareRestore(snapshot, cancelSpec);
    await unused.cancel();
    expect(existsSync(cancelSpec.runDir)).toBe(false);
    // The clock was set from the host after restore.
    const guestEpochS = Number((await sh(b, "date +%s")).out.trim());
    expect(Math.abs(guestEpochS - Date.now() / 1000)).toBeLessThan(5);
  });

  it("QEMU killed mid-command: a clear error, and no process, socket or file left", async () => {
    const { vm, agent, spec } = await boot();
    const running = agent.exec({ script: "sleep 30" }, { collect: true });
    running.catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    process.kill(vm.process.pid, "SIGKILL");
    const err = await running.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentClosedError);
    expect((err as Error).message).toMatch(/closed/);
    expect(await vm.exited).toMatchObject({ signal: "SIGKILL" });
    await expect(vm.connectAgent()).rejects.toThrow(/exited/);
    await backend.destroy(vm);
    expect(processGone(vm.process.pid)).toBe(true);
    expect(existsSync(spec.runDir)).toBe(false);
    expect(existsSync(vm.process.ramFile)).toBe(false);
    expect(readdirSync(path.dirname(spec.runDir))).toEqual([]);
  });
});

// Not a VM test: the backend refuses what it cannot do, before spawning anything.
describe("QEMU backend input checks", () => {
  it("rejects impossible specs and too-long socket paths", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "fbchk-"));
    try {
      const base = { vcpus: 1, memoryMb: 256, network: false, kernelPath: "/bin/sh", runDir: path.join(dir, "vm") };
      await expect(backend.boot({ ...base, vcpus: 0 })).rejects.toThrow(/vcpus must be 1\.\.8/);
      await expect(backend.boot({ ...base, memoryMb: 4 })).rejects.toThrow(/memoryMb/);
      await expect(backend.boot({ ...base, diskMb: -1 })).rejects.toThrow(/diskMb/);
      await expect(backend.boot({ ...base, kernelPath: "/nonexistent" })).rejects.toThrow(/kernel not found/);
      await expect(backend.boot({ ...base, runDir: path.join(dir, "x".repeat(120)) })).rejects.toThrow(/socket path too long/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
