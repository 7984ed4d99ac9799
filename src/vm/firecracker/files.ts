import fs from "node:fs/promises";

/** Hard-links `from` to `to` (no copy of large files on one filesystem), copying when a link is impossible. */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK") throw err;
    await fs.copyFile(from, to, fs.constants.COPYFILE_FICLONE);
  }
}

/** Renames `from` to `to`, copying and unlinking across filesystems. */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    await fs.copyFile(from, to, fs.constants.COPYFILE_FICLONE);
    await fs.rm(from, { force: true });
  }
}

/** Removes a file or directory tree; a missing path is fine. */
export async function removePath(target: string): Promise<void> {
  await fs.rm(target, { recursive: true, force: true });
}

export async function pathExists(target: string): Promise<boolean> {
  try {
    await fs.lstat(target);
    return true;
  } catch {
    return false;
  }
}
