import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ImageBuildError } from "../../errors.js";
import { execFileAsync } from "../../exec/exec-file.js";


/** Everything the guest image is built from; each file's content (or identity) goes into the cache key. */
export interface ImageInputs {
  /** Debian's `/usr/src/linux-source-6.1.tar.xz` (package linux-source-6.1). */
  linuxSourceTarball: string;
  /** guest/kernel/firebreak.config */
  kernelFragment: string;
  /** guest/image/build-kernel.sh */
  kernelScript: string;
  /** Static busybox from busybox-static (`/bin/busybox`). */
  busybox: string;
  /** guest/agent/build/firebreak-agent */
  agentBinary: string;
  /** guest/image/init.sh */
  initScript: string;
  /** guest/image/build-initramfs.sh */
  initramfsScript: string;
}

export const DEFAULT_LINUX_SOURCE_TARBALL = "/usr/src/linux-source-6.1.tar.xz";
export const DEFAULT_BUSYBOX = "/bin/busybox";

/** The inputs laid out as in this repository (`root` = package root). */
export function defaultImageInputs(root: string): ImageInputs {
  return {
    linuxSourceTarball: DEFAULT_LINUX_SOURCE_TARBALL,
    kernelFragment: path.join(root, "guest/kernel/firebreak.config"),
    kernelScript: path.join(root, "guest/image/build-kernel.sh"),
    busybox: DEFAULT_BUSYBOX,
    agentBinary: path.join(root, "guest/agent/build/firebreak-agent"),
    initScript: path.join(root, "guest/image/init.sh"),
    initramfsScript: path.join(root, "guest/image/build-initramfs.sh"),
  };
}

export interface ImageKeys {
  /** Changes when anything that goes into the kernel changes. */
  kernel: string;
  /** Changes when anything that goes into the initramfs changes. */
  initramfs: string;
  /** The image: both of the above. Names the cache directory. */
  image: string;
}

/** Bumped when the cache layout or the meaning of a key changes. */
const KEY_VERSION = "firebreak-image-v1";

/**
 * Cache keys from the inputs' contents. The 150 MB kernel tarball is identified by its
 * Debian package version, size and mtime instead of hashed (hashing it would cost ~1 s on
 * every lookup); everything else is hashed byte for byte.
 */
export async function computeImageKeys(inputs: ImageInputs): Promise<ImageKeys> {
  const kernel = createHash("sha256").update(KEY_VERSION);
  kernel.update(await tarballIdentity(inputs.linuxSourceTarball));
  for (const f of [inputs.kernelFragment, inputs.kernelScript]) kernel.update(await contentOf(f));
  const initramfs = createHash("sha256").update(KEY_VERSION);
  for (const f of [inputs.busybox, inputs.agentBinary, inputs.initScript, inputs.initramfsScript]) {
    initramfs.update(await contentOf(f));
  }
  const kernelKey = kernel.digest("hex").slice(0, 16);
  const initramfsKey = initramfs.digest("hex").slice(0, 16);
  const image = createHash("sha256").update(`${kernelKey}:${initramfsKey}`).digest("hex").slice(0, 16);
  return { kernel: kernelKey, initramfs: initramfsKey, image };
}

async function contentOf(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new ImageBuildError(`image input missing: ${file}${hintFor(file)}`, undefined, { cause: err });
  }
}

async function tarballIdentity(tarball: string): Promise<string> {
  const info = await stat(tarball).catch((err: unknown) => {
    throw new ImageBuildError(`image input missing: ${tarball}${hintFor(tarball)}`, undefined, { cause: err });
  });
  const pkg = path.basename(tarball).replace(/\.tar\.\w+$/, "");
  // dpkg-query format string, not a template literal.
  const versionFormat = "$" + "{Version}";
  const version = await execFileAsync("dpkg-query", ["-W", "-f", versionFormat, pkg])
    .then((r) => r.stdout.trim())
    .catch(() => "unknown");
  return `${tarball}:${version}:${info.size}:${info.mtimeMs}`;
}

function hintFor(file: string): string {
  if (file.includes("linux-source")) return " (apt-get install linux-source-6.1)";
  if (file.endsWith("busybox")) return " (apt-get install busybox-static)";
  if (file.includes("firebreak-agent")) return " (make -C guest/agent)";
  return "";
}
