import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { VmError } from "../../errors.js";
import { execFileAsync } from "../../exec/exec-file.js";

const MAKE_TIMEOUT_MS = 120_000;

/** The checkout (or package) root: the nearest ancestor holding guest/agent/Makefile. Works from src/ and dist/. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "guest", "agent", "Makefile"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new VmError("cannot find guest/agent/Makefile above the firebreak module");
    dir = parent;
  }
}

/** C sources of the guest agent. */
export const AGENT_SOURCE_DIR = join(findRoot(), "guest", "agent");
/** The static, stripped agent binary `make -C guest/agent` produces. */
export const AGENT_BINARY_PATH = join(AGENT_SOURCE_DIR, "build", "firebreak-agent");

/** Builds the agent if its sources changed (make decides) and returns the binary's path. */
export async function ensureAgentBuilt(): Promise<string> {
  try {
    await execFileAsync("make", ["-s", "-C", AGENT_SOURCE_DIR], { timeout: MAKE_TIMEOUT_MS });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const output = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim();
    throw new VmError(`building the guest agent failed: ${output || e.message}`, { cause: err });
  }
  if (!existsSync(AGENT_BINARY_PATH)) throw new VmError(`make did not produce ${AGENT_BINARY_PATH}`);
  return AGENT_BINARY_PATH;
}
