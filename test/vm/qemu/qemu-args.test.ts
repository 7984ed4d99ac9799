import { describe, expect, it } from "vitest";
import { type QemuLaunch, buildCmdline, buildQemuArgs } from "../../../src/vm/qemu/qemu-args.js";

const base: QemuLaunch = {
  binary: "qemu-system-x86_64",
  accel: "tcg",
  memoryMb: 256,
  vcpus: 2,
  network: false,
  kernelPath: "/img/bzImage",
  initrdPath: "/img/initramfs.cpio.gz",
  cmdline: "console=ttyS0",
  qmpSocket: "/r/qmp.sock",
  agentSocket: "/r/agent.sock",
  ramFile: "/dev/shm/x.ram",
  ramShared: true,
  incoming: false,
};

function flagValues(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] ?? ""] : []));
}

describe("buildQemuArgs", () => {
  it("boots microvm without ACPI, RAM in a shared file, console on stdout, agent port on a socket", () => {
    const args = buildQemuArgs(base);
    expect(flagValues(args, "-M")).toEqual(["microvm,acpi=off,x-option-roms=off,memory-backend=mem"]);
    expect(flagValues(args, "-accel")).toEqual(["tcg"]);
    expect(flagValues(args, "-object")).toEqual(["memory-backend-file,id=mem,size=256M,mem-path=/dev/shm/x.ram,share=on"]);
    expect(flagValues(args, "-smp")).toEqual(["2"]);
    expect(flagValues(args, "-qmp")).toEqual(["unix:/r/qmp.sock,server=on,wait=off"]);
    expect(flagValues(args, "-chardev")).toContain("socket,id=agent,path=/r/agent.sock,server=on,wait=off");
    expect(flagValues(args, "-device")).toContain("virtserialport,chardev=agent,name=agent");
    expect(args).toContain("-no-reboot");
    expect(args).toContain("-nodefaults");
    expect(args).not.toContain("-incoming");
    expect(args).not.toContain("-cpu");
  });

  it("has no NIC unless network is asked for, then user-mode networking", () => {
    expect(buildQemuArgs(base).join(" ")).not.toMatch(/netdev|virtio-net/);
    const args = buildQemuArgs({ ...base, network: true });
    expect(flagValues(args, "-netdev")).toEqual(["user,id=net0,restrict=on"]); // issue 11: nothing off the virtual network
    expect(flagValues(args, "-device")).toContain("virtio-net-device,netdev=net0");
  });

  it("restores with the same devices, a private RAM mapping and -incoming defer", () => {
    const boot = buildQemuArgs(base);
    const restore = buildQemuArgs({ ...base, ramShared: false, incoming: true });
    expect(flagValues(restore, "-object")).toEqual(["memory-backend-file,id=mem,size=256M,mem-path=/dev/shm/x.ram,share=off"]);
    expect(flagValues(restore, "-incoming")).toEqual(["defer"]);
    expect(flagValues(restore, "-device")).toEqual(flagValues(boot, "-device"));
  });

  it("uses the host CPU under KVM", () => {
    expect(flagValues(buildQemuArgs({ ...base, accel: "kvm" }), "-cpu")).toEqual(["host"]);
  });
});

describe("buildCmdline", () => {
  it("passes the TSC rate under TCG only, the disk size, then extra words", () => {
    const tcg = buildCmdline({ accel: "tcg", tscKhz: 2596148, diskMb: 64, extra: ["foo=1"] }).split(" ");
    expect(tcg).toContain("tsc_early_khz=2596148");
    expect(tcg).toContain("firebreak.disk_mb=64");
    expect(tcg.at(-1)).toBe("foo=1");
    expect(tcg[0]).toBe("console=ttyS0");
    const kvm = buildCmdline({ accel: "kvm", tscKhz: 2596148 });
    expect(kvm).not.toContain("tsc_early_khz");
    expect(kvm).not.toContain("firebreak.disk_mb");
    expect(kvm).not.toContain("noapictimer");
    expect(tcg).toContain("noapictimer");
  });
});
