import { Command } from "commander";
import type { CliDeps } from "./deps.js";
import { VERSION } from "./version.js";

/** `firebreak` with its global options, before any sub-command: shared by the full and the frequent program. */
export function baseProgram(deps: CliDeps): Command {
  return new Command("firebreak")
    .description("runs every command where it is safe to run it")
    .version(VERSION)
    .option("-c, --config <file>", "project config file (default: nearest firebreak.toml)")
    .option("--no-daemon", "run in this process even when a daemon (firebreak serve) answers (also FIREBREAK_DAEMON=off)")
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.output.out(s.trimEnd()), writeErr: (s) => deps.output.err(s.trimEnd()) });
}

/** Sub-commands inherit exit override so commander never calls process.exit itself. */
export function withExitOverride(program: Command): Command {
  const propagate = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(propagate);
  };
  propagate(program);
  return program;
}
