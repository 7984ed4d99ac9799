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
    const { startTui } = await import("../tui/start.js");
    await startTui({ cwd: deps.cwd, env: deps.env, configFile: global.config, daemon: global.daemon !== false && deps.env.FIREBREAK_DAEMON !== "off" });
  });
}
