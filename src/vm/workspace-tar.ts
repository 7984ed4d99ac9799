import { spawn } from "node:child_process";
import { VmError } from "../errors.js";

/**
 * Packs a directory as an uncompressed tar (the guest's busybox unpacks it), skipping `exclude`
 * names, and refuses workspaces larger than `maxBytes` instead of copying part of them.
 */
export async function packWorkspace(dir: string, exclude: readonly string[], maxBytes: number): Promise<Buffer> {
  // GNU format pinned: the guest agent unpacks it itself (long names as GNU L/K members).
  const args = ["--format=gnu", "-C", dir, ...exclude.map((e) => `--exclude=${e}`), "-cf", "-", "."];
  const child = spawn("tar", args, { stdio: ["ignore", "pipe", "pipe"] });
  const chunks: Buffer[] = [];
  let size = 0;
  let stderr = "";
  let tooBig = false;
  child.stdout.on("data", (c: Buffer) => {
    size += c.length;
    if (size > maxBytes) {
      tooBig = true;
      child.kill("SIGKILL");
      return;
    }
    chunks.push(c);
  });
  child.stderr.on("data", (c) => (stderr += c));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (tooBig) {
    throw new VmError(`the working directory ${dir} is larger than [vm] copy_max_mb (${Math.round(maxBytes / 1048576)} MiB) once ${exclude.join(", ")} are excluded; raise the limit or run from a smaller directory`);
  }
  // tar exits 1 when files changed while being read: the archive is still usable.
  if (code !== 0 && code !== 1) throw new VmError(`packing ${dir} for the VM failed: ${stderr.trim() || `tar exited ${code}`}`);
  return Buffer.concat(chunks);
}
