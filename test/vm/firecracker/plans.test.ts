import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VmError } from "../../../src/errors.js";
import type { Snapshot, VmSpec } from "../../../src/vm/backend.js";
import {
  DEFAULT_AGENT_VSOCK_PORT,
  checkKvm,
  findExecutable,
  firecrackerAvailability,
  planBoot,
  planLaunch,
  restoreRequest,
  type SnapshotMeta,
} from "../../../src/vm/firecracker/index.js";

const spec: VmSpec = { vcpus: 2, memoryMb: 512, network: false, kernelPath: "/img/vmlinux", runDir: "/run/fb/vm1" };

describe("planBoot", () => {
  it("maps vcpus/memory, uses the serial console and the vsock agent, and adds no NIC or drive by default", () => {
    const plan = planBoot(spec, { kernelPath: "/img/vmlinux", initrdPath: "/img/initrd" });
    expect(plan.machineConfig).toEqual({ vcpu_count: 2, mem_size_mib: 512 });
    expect(plan.bootSource.kernel_image_path).toBe("/img/vmlinux");
    expect(plan.bootSource.initrd_path).toBe("/img/initrd");
    const args = plan.bootSource.boot_args!.split(" ");
    expect(args).toContain("console=ttyS0");
    expect(args).toContain("pci=off");
    expect(args).toContain(`firebreak.agent=vsock:${DEFAULT_AGENT_VSOCK_PORT}`);
    expect(args.some((a) => a.startsWith("firebreak.disk_mb="))).toBe(false);
    expect(plan.vsock).toEqual({ guest_cid: 3, uds_path: "vsock.sock" });
    expect(plan.drives).toEqual([]);
    expect(plan.networkInterfaces).toEqual([]);
    expect(plan.unenforced).toEqual([]);
  });

  it("sizes the writable filesystem and appends extra cmdline words last", () => {
    const plan = planBoot({ ...spec, diskMb: 300, extraCmdline: ["loglevel=1"] }, { kernelPath: "k" });
    const args = plan.bootSource.boot_args!.split(" ");
    expect(args).toContain("firebreak.disk_mb=300");
    expect(args.at(-1)).toBe("loglevel=1");
    expect(plan.bootSource.initrd_path).toBeUndefined();
  });

  it("attaches the tap device only when the VM may use the network", () => {
    const plan = planBoot({ ...spec, network: true }, {
      kernelPath: "k",
      tapDevice: "fbtap0",
      guestMac: "06:00:00:00:00:01",
      guestIpv4: { address: "10.1.0.2/30", gateway: "10.1.0.1", dns: "9.9.9.9" },
    });
    expect(plan.networkInterfaces).toEqual([{ iface_id: "eth0", host_dev_name: "fbtap0", guest_mac: "06:00:00:00:00:01" }]);
    expect(plan.bootSource.boot_args).toContain("firebreak.ip=10.1.0.2/30 firebreak.gw=10.1.0.1 firebreak.dns=9.9.9.9");
    expect(planBoot(spec, { kernelPath: "k", tapDevice: "fbtap0" }).networkInterfaces).toEqual([]);
  });

  it("refuses a guest IPv4 setting that could smuggle cmdline words", () => {
    const guestIpv4 = { address: "10.0.0.2/30 init=/bin/sh", gateway: "10.0.0.1", dns: "1.1.1.1" };
    expect(() => planBoot({ ...spec, network: true }, { kernelPath: "k", tapDevice: "t", guestIpv4 })).toThrow(VmError);
  });

  it("reports network as unenforced when no tap device is configured, and adds no NIC", () => {
    const plan = planBoot({ ...spec, network: true }, { kernelPath: "k" });
    expect(plan.networkInterfaces).toEqual([]);
    expect(plan.unenforced).toEqual([{ limit: "network_access", reason: expect.stringMatching(/no tap device/) }]);
  });

  it.each([
    ["0 vCPUs", { vcpus: 0 }],
    ["33 vCPUs", { vcpus: 33 }],
    ["fractional vCPUs", { vcpus: 1.5 }],
    ["0 MiB", { memoryMb: 0 }],
    ["fractional memory", { memoryMb: 100.5 }],
    ["0 MiB disk", { diskMb: 0 }],
    ["a cmdline word with a space", { extraCmdline: ["a b"] }],
    ["an empty cmdline word", { extraCmdline: [""] }],
  ])("refuses %s before spawning anything", (_name, patch) => {
    expect(() => planBoot({ ...spec, ...patch } as VmSpec, { kernelPath: "k" })).toThrow(VmError);
  });
});

describe("planLaunch", () => {
  it("runs firecracker in the runDir with relative socket names", () => {
    const plan = planLaunch({ firecrackerPath: "/usr/bin/firecracker", id: "fb-1", runDir: "/run/fb/vm1" });
    expect(plan.file).toBe("/usr/bin/firecracker");
    expect(plan.args).toEqual(["--api-sock", "api.sock", "--id", "fb-1"]);
    expect(plan.cwd).toBe("/run/fb/vm1");
    expect(plan.apiSocketPath).toBe("/run/fb/vm1/api.sock");
    expect(plan.vsockSocketPath).toBe("/run/fb/vm1/vsock.sock");
    expect(plan.jailDir).toBeUndefined();
  });

  it("wraps firecracker in the jailer with uid, gid, chroot and the firecracker args after --", () => {
    const plan = planLaunch({
      firecrackerPath: "/usr/bin/firecracker",
      id: "fb-2",
      runDir: "/run/fb/vm2",
      jailer: { binaryPath: "/usr/bin/jailer", uid: 123, gid: 456, chrootBaseDir: "/srv/jailer", cgroupVersion: 2, netnsPath: "/var/run/netns/fb" },
    });
    expect(plan.file).toBe("/usr/bin/jailer");
    expect(plan.args).toEqual([
      "--id", "fb-2",
      "--exec-file", "/usr/bin/firecracker",
      "--uid", "123",
      "--gid", "456",
      "--chroot-base-dir", "/srv/jailer",
      "--cgroup-version", "2",
      "--netns", "/var/run/netns/fb",
      "--",
      "--api-sock", "api.sock",
    ]);
    expect(plan.jailDir).toBe("/srv/jailer/firecracker/fb-2");
    expect(plan.vmRoot).toBe("/srv/jailer/firecracker/fb-2/root");
    expect(plan.apiSocketPath).toBe("/srv/jailer/firecracker/fb-2/root/api.sock");
  });

  it.each([
    ["an id with a slash", { id: "a/b" }],
    ["an id too long", { id: "x".repeat(65) }],
    ["a relative binary", { firecrackerPath: "firecracker" }],
    ["a negative uid", { jailer: { binaryPath: "/j", uid: -1, gid: 0, chrootBaseDir: "/srv" } }],
    ["a relative chroot base", { jailer: { binaryPath: "/j", uid: 1, gid: 1, chrootBaseDir: "srv" } }],
    ["a jailed binary not named firecracker", { firecrackerPath: "/usr/bin/vmm", jailer: { binaryPath: "/j", uid: 1, gid: 1, chrootBaseDir: "/srv" } }],
  ])("refuses %s", (_name, patch) => {
    expect(() => planLaunch({ firecrackerPath: "/usr/bin/firecracker", id: "fb-1", runDir: "/r", ...patch })).toThrow(VmError);
  });
});

describe("restoreRequest", () => {
  const snapshot: Snapshot = { id: "s1", backend: "firecracker", dir: "/snaps/s1", spec, createdAt: "2026-11-26T00:00:00Z" };
  const meta: SnapshotMeta = { format: 1, id: "s1", createdAt: snapshot.createdAt, hasNic: false, agentVsockPort: 1024, vcpus: 2, memoryMb: 512 };

  it("loads from the snapshot dir, resumes, and re-points vsock to the new VM's own socket", () => {
    const { body, unenforced } = restoreRequest(snapshot, spec, meta, { jailed: false });
    expect(body).toEqual({
      snapshot_path: "/snaps/s1/vmstate.snap",
      mem_backend: { backend_type: "File", backend_path: "/snaps/s1/memory.snap" },
      resume_vm: true,
      vsock_override: { uds_path: "vsock.sock" },
    });
    expect(unenforced).toEqual([]);
  });

  it("uses in-jail names when jailed", () => {
    const { body } = restoreRequest(snapshot, spec, meta, { jailed: true });
    expect(body.snapshot_path).toBe("vmstate.snap");
    expect(body.mem_backend.backend_path).toBe("memory.snap");
  });

  it("re-points a NIC to the configured tap", () => {
    const { body } = restoreRequest(snapshot, { ...spec, network: true }, { ...meta, hasNic: true }, { tapDevice: "tap5", jailed: false });
    expect(body.network_overrides).toEqual([{ iface_id: "eth0", host_dev_name: "tap5" }]);
  });

  it("refuses what it cannot honour instead of running looser", () => {
    expect(() => restoreRequest(snapshot, { ...spec, memoryMb: 1024 }, meta, { jailed: false })).toThrow(/512 MiB/);
    expect(() => restoreRequest(snapshot, { ...spec, vcpus: 1 }, meta, { jailed: false })).toThrow(VmError);
    expect(() => restoreRequest(snapshot, { ...spec, diskMb: 100 }, meta, { jailed: false })).toThrow(/writable filesystem/);
    expect(() => restoreRequest(snapshot, spec, { ...meta, hasNic: true }, { jailed: false })).toThrow(/without network access/);
    expect(() => restoreRequest(snapshot, { ...spec, network: true }, { ...meta, hasNic: true }, { jailed: false })).toThrow(/no tap device/);
  });

  it("reports network as unenforced when the snapshot has no NIC", () => {
    const { unenforced } = restoreRequest(snapshot, { ...spec, network: true }, meta, { jailed: false });
    expect(unenforced).toEqual([{ limit: "network_access", reason: expect.stringMatching(/without a NIC/) }]);
  });
});

describe("availability", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fc-avail-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("finds executables on PATH and by path, never non-executables or directories", async () => {
    const bin = path.join(tmp, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "firecracker"), "#!/bin/sh\necho 'Firecracker v1.16.1'\n", { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "plain"), "", { mode: 0o644 });
    fs.mkdirSync(path.join(bin, "dir"));
    expect(await findExecutable("firecracker", `/nonexistent:${bin}`)).toBe(path.join(bin, "firecracker"));
    expect(await findExecutable(path.join(bin, "firecracker"), "")).toBe(path.join(bin, "firecracker"));
    expect(await findExecutable("plain", bin)).toBeUndefined();
    expect(await findExecutable("dir", bin)).toBeUndefined();
    expect(await findExecutable("firecracker", "")).toBeUndefined();
  });

  it("judges KVM: missing device, PVM, and accessible-but-unproven", async () => {
    const device = path.join(tmp, "kvm");
    const pvm = path.join(tmp, "kvm_pvm");
    expect(await checkKvm(device, pvm)).toEqual({ usable: false, reason: expect.stringMatching(/does not exist/) });
    fs.writeFileSync(device, "");
    expect(await checkKvm(device, pvm)).toEqual({ usable: true, reason: expect.stringMatching(/probe boot/) });
    fs.mkdirSync(pvm);
    expect(await checkKvm(device, pvm)).toEqual({ usable: false, reason: expect.stringMatching(/PVM/) });
  });

  it("is unavailable without a binary, naming why", async () => {
    const result = await firecrackerAvailability({ binary: path.join(tmp, "firecracker"), kvmVerdict: async () => ({ usable: true, reason: "kvm ok" }) });
    expect(result.available).toBe(false);
    expect(result.reasons).toEqual([`no executable firecracker binary at ${path.join(tmp, "firecracker")}`, "kvm ok"]);
  });

  it("is available with a binary and a usable KVM verdict, reporting the version", async () => {
    const bin = path.join(tmp, "firecracker");
    fs.writeFileSync(bin, "#!/bin/sh\necho 'Firecracker v1.16.1'\n", { mode: 0o755 });
    const result = await firecrackerAvailability({ binary: bin, kvmVerdict: async () => ({ usable: true, reason: "probe boot succeeded" }) });
    expect(result).toEqual({ available: true, accel: "kvm", reasons: [`firecracker binary: ${bin} (Firecracker v1.16.1)`, "probe boot succeeded"] });
  });

  it("is unavailable when KVM is not usable even with a binary", async () => {
    const bin = path.join(tmp, "firecracker");
    fs.writeFileSync(bin, "#!/bin/sh\necho v\n", { mode: 0o755 });
    const result = await firecrackerAvailability({ binary: bin, kvmDevicePath: path.join(tmp, "nokvm") });
    expect(result.available).toBe(false);
    expect(result.reasons[1]).toMatch(/does not exist/);
  });
});
