import { execFile } from "node:child_process";
import { promisify } from "node:util";

type ExecFileAsync = typeof execFile.__promisify__;
let promisified: ExecFileAsync | undefined;

/**
 * `child_process.execFile` returning a promise, made on the first call rather than when a module loads:
 * promisifying at import reads `execFile`, which loads `child_process` in every short CLI call that imports the
 * module, whether it runs a program or not.
 *
 * @example
 * const { stdout } = await execFileAsync("git", ["rev-parse", "HEAD"], { cwd });
 */
export const execFileAsync: ExecFileAsync = ((...args: Parameters<ExecFileAsync>) => {
  promisified ??= promisify(execFile);
  return promisified(...args);
}) as ExecFileAsync;
