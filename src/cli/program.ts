import { Command } from "commander";
import { auditCommand } from "./audit-cmd.js";
import { commandsCommand } from "./commands-cmd.js";
import { configCommand } from "./config-cmd.js";
import type { CliDeps } from "./deps.js";
import { demoCommand } from "./demo-cmd.js";
import { runCommand } from "./run-cmd.js";

export const VERSION = "0.1.0";

/**
 * The `firebreak` program. Sub-commands throw typed errors; only main.ts maps them to exit codes.
 *
 * @example
 * await createProgram(deps).parseAsync(["commands", "list"], { from: "user" });
 */
export function createProgram(deps: CliDeps): Command {
  const program = new Command("firebreak")
    .description("runs every command where it is safe to run it")
    .version(VERSION)
    .option("-c, --config <file>", "project config file (default: nearest firebreak.toml)")
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.output.out(s.trimEnd()), writeErr: (s) => deps.output.err(s.trimEnd()) });
  for (const sub of [runCommand(deps), commandsCommand(deps), configCommand(deps), auditCommand(deps), demoCommand(deps)]) {
    program.addCommand(sub);
  }
  // Sub-commands inherit exit override so commander never calls process.exit itself.
  const propagate = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(propagate);
  };
  propagate(program);
  return program;
}
