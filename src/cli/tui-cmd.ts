import { Command } from "commander";
import { UsageError } from "../errors.js";
import type { CliDeps } from "./deps.js";

/**
 * `firebreak tui` (and `firebreak` with no arguments on a terminal): the interactive terminal UI. It is a
 * separate chunk loaded here, so the rest of the CLI never loads React.
 */
export function tuiCommand(deps: CliDeps): Command {
  return new Command("tui").description("the interactive terminal UI (also: firebreak with no arguments on a terminal)").action(async (_opts: unknown, self: Command) => {
    if (!process.stdin.isTTY || !process.stdout.isTTY) throw new UsageError("firebreak tui needs a terminal (stdin and stdout); use firebreak run / sh in scripts");
    const global = self.parent!.opts<{ config?: string; daemon?: boolean }>();
    const { startTui } = await importInteractive();
    await startTui({ cwd: deps.cwd, env: deps.env, configFile: global.config, daemon: global.daemon !== false && deps.env.FIREBREAK_DAEMON !== "off" });
  });
}

/**
 * Loads the UI chunk. Ink decides once, when it loads, whether it runs in CI (a `CI` variable) and then draws only a
 * final frame; on a terminal the user asked for the interactive UI, so that guess is turned off while it loads.
 */
async function importInteractive(): Promise<typeof import("../tui/start.js")> {
  const keys = ["CI", "CONTINUOUS_INTEGRATION"] as const;
  const saved = keys.map((k) => process.env[k]);
  for (const k of keys) process.env[k] = "0";
  try {
    return await import("../tui/start.js");
  } finally {
    keys.forEach((k, i) => {
      if (saved[i] === undefined) delete process.env[k];
      else process.env[k] = saved[i];
    });
  }
}
