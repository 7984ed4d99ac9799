import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "vitest";
import type { VmSpec } from "../../../src/vm/backend.js";
import { removeAfterFile } from "../../helpers/tmp.js";
import { findGuestImage, type GuestImage } from "../../../src/vm/image/index.js";

/**
 * Real-VM tests need QEMU and a built guest image. Missing either: in CI (CI=true) the tests
 * FAIL with what to do; locally they are skipped with the reason.
 */
export type VmTestEnv = { ok: true; image: GuestImage } | { ok: false; reason: string };

export async function vmTestEnv(): Promise<VmTestEnv> {
  try {
    execFileSync("qemu-system-x86_64", ["--version"], { stdio: "ignore" });
  } catch {
    return { ok: false, reason: "qemu-system-x86_64 not found (apt-get install qemu-system-x86)" };
  }
  const image = await findGuestImage();
  if (!image) return { ok: false, reason: "no guest image for the current inputs (run: firebreak vm image build)" };
  return { ok: true, image };
}

/** Registers a failing test in CI, or a skipped one locally, when the VM environment is missing. */
export function reportMissingVmEnv(env: VmTestEnv, suite: string): void {
  if (env.ok) return;
  if (process.env.CI === "true") {
    describe(suite, () => {
      it("has QEMU and a guest image", () => {
        throw new Error(`real-VM tests cannot run: ${env.reason}`);
      });
    });
  } else {
    describe.skip(`${suite} (skipped: ${env.reason})`, () => {
      it("needs QEMU and a guest image", () => {});
    });
  }
}

/** A short run dir (Unix socket paths must stay under 108 bytes). */
export function shortRunDir(): string {
  const parent = removeAfterFile(mkdtempSync(path.join(os.tmpdir(), "fbt-")));
  return path.join(parent, "vm");
}

export function specFor(image: GuestImage, over: Partial<VmSpec> = {}): VmSpec {
  return {
    vcpus: 1,
    memoryMb: 256,
    network: false,
    kernelPath: image.bzImage,
    initrdPath: image.initrd,
    runDir: shortRunDir(),
    ...over,
  };
}
