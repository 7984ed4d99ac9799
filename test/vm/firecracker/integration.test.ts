/**
 * The real thing: boots the guest image under Firecracker, says hello to the agent over vsock, runs `echo`, snapshots,
 * restores and destroys. Runs whenever a firecracker binary, usable KVM and a guest kernel + initrd exist
 * (FIREBREAK_FIRECRACKER_KERNEL / FIREBREAK_FIRECRACKER_INITRD, else the image cache); otherwise each test is
 * reported as skipped with the reason in its name.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentClient } from "../../../src/vm/agent/index.js";
import type { VmHandle, VmSpec } from "../../../src/vm/backend.js";
import { findGuestImage } from "../../../src/vm/image/index.js";
import { FirecrackerBackend, checkKvm, findExecutable } from "../../../src/vm/firecracker/index.js";

const BOOT_TEST_TIMEOUT_MS = 120_000;

interface Prerequisites {
  binary: string;
  kernelPath: string;
  initrdPath: string;
}

/** What is needed to run Firecracker here, or why it cannot run. */
async function prerequisites(): Promise<Prerequisites | string> {
  const wanted = process.env.FIREBREAK_FIRECRACKER_BINARY ?? "firecracker";
  const binary = await findExecutable(wanted);
  if (!binary) return wanted.includes("/") ? `no firecracker binary at ${wanted}` : "no firecracker binary on PATH";
  const kvm = await checkKvm();
  if (!kvm.usable) return `KVM not usable: ${kvm.reason}`;
  const envKernel = process.env.FIREBREAK_FIRECRACKER_KERNEL;
  const envInitrd = process.env.FIREBREAK_FIRECRACKER_INITRD;
  if (envKernel && envInitrd) return { binary, kernelPath: envKernel, initrdPath: envInitrd };
  const image = await findGuestImage().catch(() => undefined);
  if (!image) return "no guest image (set FIREBREAK_FIRECRACKER_KERNEL and _INITRD, or run: firebreak vm image build)";
  return { binary, kernelPath: image.vmlinux, initrdPath: image.initrd };
}

const found = await prerequisites();
const skipReason = typeof found === "string" ? found : undefined;
const title = (what: string) => (skipReason ? `skipped: ${skipReason} (would test: ${what})` : what);

describe("firecracker integration", () => {
  let tmp: string;
  const live: VmHandle[] = [];
  const backend = typeof found === "string" ? undefined : new FirecrackerBackend({ binary: found.binary });

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fc-int-"));
  });
  afterEach(async () => {
    for (const vm of live.splice(0)) await backend?.destroy(vm);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const vmSpec = (name: string): VmSpec => {
    const p = found as Prerequisites;
    return { vcpus: 1, memoryMb: 256, network: false, kernelPath: p.kernelPath, initrdPath: p.initrdPath, runDir: path.join(tmp, name) };
  };

  it.skipIf(skipReason !== undefined)(
    title("boots, greets the agent over vsock, runs echo, destroys"),
    async () => {
      const s = vmSpec("vm");
      const vm = await backend!.boot(s);
      live.push(vm);
      const agent = new AgentClient(await vm.connectAgent());
      const hello = await agent.hello();
      expect(hello.protocol).toBeGreaterThan(0);
      const result = await agent.exec({ script: "echo hi; echo err >&2; exit 3" }, { collect: true });
      expect(result.stdout?.toString()).toBe("hi\n");
      expect(result.stderr?.toString()).toBe("err\n");
      expect(result.exitCode).toBe(3);
      expect(vm.phases.agentReady).toBeDefined();
      agent.close();

      await backend!.destroy(vm);
      expect(fs.existsSync(s.runDir)).toBe(false);
    },
    BOOT_TEST_TIMEOUT_MS,
  );

  it.skipIf(skipReason !== undefined)(
    title("snapshot, restore into a new process, exec there"),
    async () => {
      const vm = await backend!.boot(vmSpec("orig"));
      live.push(vm);
      const first = new AgentClient(await vm.connectAgent());
      await first.hello();
      first.close();
      const snapshot = await backend!.snapshot(vm, path.join(tmp, "snap"));

      const clone = await backend!.restore(snapshot, vmSpec("clone"));
      live.push(clone);
      const agent = new AgentClient(await clone.connectAgent());
      const result = await agent.exec({ script: "echo restored" }, { collect: true });
      expect(result.stdout?.toString()).toBe("restored\n");
      expect(clone.phases.restore).toBeDefined();
      agent.close();
    },
    BOOT_TEST_TIMEOUT_MS,
  );
});
