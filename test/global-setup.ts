import { execFileSync } from "node:child_process";
import path from "node:path";

/**
 * CLI tests run the built program (bin/firebreak.js -> dist/), so build once before all tests.
 * A failed build does not stop the other suites; the CLI tests then fail on their own.
 */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, "..");
  try {
    execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  } catch {
    process.stderr.write("global-setup: the TypeScript build failed; CLI tests will fail\n");
  }
}
