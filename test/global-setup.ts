import { execFileSync } from "node:child_process";
import path from "node:path";

/**
 * CLI tests run the built program (bin/firebreak.js -> dist/cli/main.js, dist/client.cjs), so build once before all tests.
 * A failed build does not stop the other suites; the CLI tests then fail on their own.
 */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, "..");
  try {
    execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
  } catch {
    process.stderr.write("global-setup: the build failed; CLI tests will fail\n");
  }
}
