import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, link, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { lockFile } from "../../file-lock.js";
import { packageRoot, resolvePaths } from "../../paths.js";
import { ImageBuildError } from "../../errors.js";
import { type ImageInputs, type ImageKeys, computeImageKeys, defaultImageInputs } from "./inputs.js";

/** A built guest image in the cache: `<stateDir>/images/<key>/`. */
export interface GuestImage {
  key: string;
  keys: ImageKeys;
  dir: string;
  /** Compressed kernel for QEMU. */
  bzImage: string;
  /** Uncompressed ELF kernel (Firecracker boots this; QEMU can too, via PVH). */
  vmlinux: string;
  /** gzip newc initramfs with busybox, init and the agent. */
  initrd: string;
  /** `uname -r` inside the guest. */
  kernelRelease: string;
  builtAt: string;
}

export interface ImageBuildOptions {
  /** Defaults to `$XDG_STATE_HOME/firebreak`. */
  stateDir?: string;
  /** Package root holding guest/; defaults to this package's. */
  root?: string;
  /** Override single inputs (tests, other distributions). */
  inputs?: Partial<ImageInputs>;
  /** Rebuild even when the cache has this key. */
  force?: boolean;
  /** Receives one line per progress message; defaults to stderr. */
  progress?: (line: string) => void;
  /** Run `make -C guest/agent` first (default true when guest/agent/Makefile exists). */
  buildAgent?: boolean;
  /** Parallel kernel build jobs (default: number of CPUs). */
  kernelJobs?: number;
}

const MANIFEST = "manifest.json";
const LOCK_STALE_MS = 60_000;
const OUTPUT_TAIL_LINES = 40;

function resolveOptions(opts: ImageBuildOptions) {
  const root = opts.root ?? packageRoot();
  const stateDir = opts.stateDir ?? resolvePaths().stateDir;
  const inputs = { ...defaultImageInputs(root), ...opts.inputs };
  const progress = opts.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  return { root, stateDir, inputs, progress };
}

/**
 * The cached image for the current inputs, or undefined when it has not been built
 * (or an input such as the agent binary is missing). Never builds anything.
 *
 * @example
 * const image = await findGuestImage();
 * if (!image) console.error("run: firebreak vm image build");
 */
export async function findGuestImage(opts: ImageBuildOptions = {}): Promise<GuestImage | undefined> {
  const { stateDir, inputs } = resolveOptions(opts);
  let keys: ImageKeys;
  try {
    keys = await computeImageKeys(inputs);
  } catch (err) {
    if (err instanceof ImageBuildError) return undefined;
    throw err;
  }
  return readManifest(path.join(stateDir, "images", keys.image));
}

/**
 * Builds (or finds in the cache) the guest image: kernel from linux-source-6.1 with
 * guest/kernel/firebreak.config, initramfs from busybox-static + agent + init.sh.
 * The kernel is cached under its own key so an agent change only rebuilds the initramfs.
 *
 * @example
 * const image = await buildGuestImage({ progress: (l) => console.error(l) });
 * // image.bzImage, image.initrd, image.kernelRelease
 */
export async function buildGuestImage(opts: ImageBuildOptions = {}): Promise<GuestImage> {
  const { root, stateDir, inputs, progress } = resolveOptions(opts);
  const agentMakefile = path.join(root, "guest/agent/Makefile");
  if (opts.buildAgent ?? existsSync(agentMakefile)) {
    progress("firebreak image: building the guest agent (make -C guest/agent)");
    await runStep("make", ["-s", "-C", path.join(root, "guest/agent")], progress, "agent build");
  }
  const keys = await computeImageKeys(inputs);
  const imagesDir = path.join(stateDir, "images");
  const imageDir = path.join(imagesDir, keys.image);
  if (!opts.force) {
    const cached = await readManifest(imageDir);
    if (cached) {
      progress(`firebreak image: up to date (${keys.image})`);
      return cached;
    }
  }
  await mkdir(imagesDir, { recursive: true });
  const release = await lockFile(imagesDir, { stale: LOCK_STALE_MS, retries: { retries: 600, minTimeout: 1000, maxTimeout: 1000 } });
  try {
    if (!opts.force) {
      const builtMeanwhile = await readManifest(imageDir);
      if (builtMeanwhile) return builtMeanwhile;
    }
    const kernelDir = await ensureKernel(stateDir, keys, inputs, progress, opts);
    return await assembleImage(imagesDir, imageDir, kernelDir, keys, inputs, progress);
  } finally {
    await release();
  }
}

async function ensureKernel(
  stateDir: string,
  keys: ImageKeys,
  inputs: ImageInputs,
  progress: (line: string) => void,
  opts: ImageBuildOptions,
): Promise<string> {
  const kernelDir = path.join(stateDir, "kernels", keys.kernel);
  if (!opts.force && existsSync(path.join(kernelDir, "release"))) {
    progress(`firebreak image: kernel up to date (${keys.kernel})`);
    return kernelDir;
  }
  const staging = `${kernelDir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const env = { ...process.env, ...(opts.kernelJobs ? { FIREBREAK_KERNEL_JOBS: String(opts.kernelJobs) } : {}) };
  await runStep(
    "bash",
    [inputs.kernelScript, inputs.linuxSourceTarball, inputs.kernelFragment, path.join(stateDir, "build", "kernel"), staging],
    progress,
    "kernel build",
    env,
  );
  await rm(kernelDir, { recursive: true, force: true });
  await rename(staging, kernelDir);
  return kernelDir;
}

async function assembleImage(
  imagesDir: string,
  imageDir: string,
  kernelDir: string,
  keys: ImageKeys,
  inputs: ImageInputs,
  progress: (line: string) => void,
): Promise<GuestImage> {
  const staging = path.join(imagesDir, `${keys.image}.tmp-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await runStep(
      "bash",
      [inputs.initramfsScript, inputs.busybox, inputs.agentBinary, inputs.initScript, path.join(staging, "initramfs.cpio.gz")],
      progress,
      "initramfs build",
    );
    for (const f of ["bzImage", "vmlinux"]) await linkOrCopy(path.join(kernelDir, f), path.join(staging, f));
    const kernelRelease = (await readFile(path.join(kernelDir, "release"), "utf8")).trim();
    const manifest = { key: keys.image, keys, kernelRelease, builtAt: new Date().toISOString(), inputs };
    await writeFile(path.join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await rm(imageDir, { recursive: true, force: true });
    await rename(staging, imageDir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  const image = await readManifest(imageDir);
  if (!image) throw new ImageBuildError(`image ${keys.image} was assembled but cannot be read back from ${imageDir}`);
  progress(`firebreak image: built ${keys.image} (kernel ${image.kernelRelease}) in ${imageDir}`);
  return image;
}

async function readManifest(imageDir: string): Promise<GuestImage | undefined> {
  let raw: string;
  try {
    raw = await readFile(path.join(imageDir, MANIFEST), "utf8");
  } catch {
    return undefined;
  }
  const m = JSON.parse(raw) as { key: string; keys: ImageKeys; kernelRelease: string; builtAt: string };
  const image: GuestImage = {
    key: m.key,
    keys: m.keys,
    dir: imageDir,
    bzImage: path.join(imageDir, "bzImage"),
    vmlinux: path.join(imageDir, "vmlinux"),
    initrd: path.join(imageDir, "initramfs.cpio.gz"),
    kernelRelease: m.kernelRelease,
    builtAt: m.builtAt,
  };
  // A half-deleted cache entry is not an image.
  return [image.bzImage, image.vmlinux, image.initrd].every((f) => existsSync(f)) ? image : undefined;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/** Runs one build step, forwarding its output lines as progress; fails with the output's tail. */
function runStep(
  command: string,
  args: string[],
  progress: (line: string) => void,
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
    const tail: string[] = [];
    const onLine = (line: string) => {
      if (!line) return;
      tail.push(line);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
      progress(line);
    };
    for (const stream of [child.stdout, child.stderr]) {
      let partial = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const lines = (partial + chunk).split("\n");
        partial = lines.pop() ?? "";
        for (const l of lines) onLine(l);
      });
      stream.on("end", () => onLine(partial));
    }
    child.on("error", (err) => reject(new ImageBuildError(`${what}: cannot run ${command}: ${err.message}`, undefined, { cause: err })));
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new ImageBuildError(`${what} failed (${signal ?? `exit ${code}`})`, tail.join("\n")));
    });
  });
}
