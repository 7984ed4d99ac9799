import { execFileSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packageRoot } from "../../../src/paths.js";
import { ImageBuildError } from "../../../src/errors.js";
import { buildGuestImage, findGuestImage } from "../../../src/vm/image/index.js";
import type { ImageInputs } from "../../../src/vm/image/index.js";

// The real initramfs script runs on real busybox; the 4-minute kernel build is replaced by
// a script with the same interface that counts its runs (the real one is exercised by
// `firebreak vm image build` and the VM tests).
const root = packageRoot();
const haveBusybox = existsSync("/bin/busybox") && existsSync("/usr/bin/cpio");

let dir: string;
let inputs: Partial<ImageInputs>;
const progress: string[] = [];

function kernelRuns(): number {
  const f = path.join(dir, "kernel-runs");
  return existsSync(f) ? readFileSync(f, "utf8").trim().split("\n").length : 0;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "fbimg-"));
  progress.length = 0;
  const kernelScript = path.join(dir, "fake-build-kernel.sh");
  writeFileSync(
    kernelScript,
    `#!/bin/bash\nset -e\necho run >> ${dir}/kernel-runs\nmkdir -p "$4"\necho kernel > "$4/bzImage"\necho elf > "$4/vmlinux"\necho 6.1.0-test > "$4/release"\necho "firebreak kernel: fake build" >&2\n`,
  );
  const tarball = path.join(dir, "linux-source-test.tar.xz");
  writeFileSync(tarball, "not really a tarball");
  const fragment = path.join(dir, "fragment.config");
  writeFileSync(fragment, "CONFIG_64BIT=y\n");
  const agent = path.join(dir, "agent");
  copyFileSync("/bin/busybox", agent); // any static ELF will do as the packed "agent"
  inputs = { kernelScript, linuxSourceTarball: tarball, kernelFragment: fragment, agentBinary: agent };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const opts = () => ({ stateDir: path.join(dir, "state"), root, inputs, buildAgent: false, progress: (l: string) => progress.push(l) });

describe.skipIf(!haveBusybox)("guest image builder", () => {
  it("builds once, then serves the cache until an input changes", async () => {
    expect(await findGuestImage(opts())).toBeUndefined();
    const first = await buildGuestImage(opts());
    expect(kernelRuns()).toBe(1);
    expect(first.kernelRelease).toBe("6.1.0-test");
    expect(first.dir).toBe(path.join(dir, "state", "images", first.key));
    for (const f of [first.bzImage, first.vmlinux, first.initrd]) expect(existsSync(f)).toBe(true);
    expect(progress.some((l) => l.includes("fake build"))).toBe(true);

    const again = await buildGuestImage(opts());
    expect(again.key).toBe(first.key);
    expect(kernelRuns()).toBe(1);
    expect(await findGuestImage(opts())).toMatchObject({ key: first.key });

    // A new agent: new image, same kernel (not rebuilt).
    appendFileSync(inputs.agentBinary as string, "\0");
    const newAgent = await buildGuestImage(opts());
    expect(newAgent.key).not.toBe(first.key);
    expect(newAgent.keys.kernel).toBe(first.keys.kernel);
    expect(kernelRuns()).toBe(1);

    // A new kernel option: the kernel is rebuilt.
    writeFileSync(inputs.kernelFragment as string, "CONFIG_64BIT=y\nCONFIG_INET=y\n");
    const newKernel = await buildGuestImage(opts());
    expect(newKernel.keys.kernel).not.toBe(first.keys.kernel);
    expect(kernelRuns()).toBe(2);
  });

  it("packs init, the agent and busybox applets into the initramfs", async () => {
    const image = await buildGuestImage(opts());
    const listing = execFileSync("sh", ["-c", `gzip -dc '${image.initrd}' | cpio -t --quiet`], { encoding: "utf8" }).split("\n");
    for (const entry of ["init", "sbin/firebreak-agent", "bin/busybox", "bin/sh", "dev/console", "work", "tmp"]) {
      expect(listing).toContain(entry);
    }
  });

  it("refuses a dynamically linked binary (the guest has no libc)", async () => {
    copyFileSync("/bin/ls", inputs.agentBinary as string);
    const err = await buildGuestImage(opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageBuildError);
    expect((err as ImageBuildError).outputTail).toMatch(/dynamically linked/);
  });

  it("fails with a typed error naming a missing input, and the failing step's output", async () => {
    await expect(buildGuestImage({ ...opts(), inputs: { ...inputs, agentBinary: path.join(dir, "nope") } })).rejects.toThrow(
      /image input missing: .*nope/,
    );
    writeFileSync(inputs.kernelScript as string, "#!/bin/bash\necho 'cc1: out of cheese' >&2\nexit 3\n");
    const err = await buildGuestImage(opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageBuildError);
    expect((err as ImageBuildError).message).toMatch(/kernel build failed \(exit 3\)/);
    expect((err as ImageBuildError).outputTail).toContain("out of cheese");
  });
});
