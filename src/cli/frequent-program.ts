import type { Command } from "commander";
import { auditCommand } from "./audit-cmd.js";
import { claudeCommand } from "./claude-cmd.js";
import { commandsCommand } from "./commands-cmd.js";
import type { CliDeps } from "./deps.js";
import { policyCommand } from "./policy-cmd.js";
import { baseProgram, withExitOverride } from "./program-base.js";
import { runCommand } from "./run-cmd.js";
import { shCommand } from "./sh-cmd.js";

/**
 * The `firebreak` program with only the sub-commands an agent or a script calls many times a second (`run`, `sh`,
 * `commands`, `audit`, `policy`, `claude`): what those load in-process (`cli/frequent-main.ts`, chosen by
 * bin/firebreak.js), so a call does not load the other sub-commands. Their definitions, output and exit codes
 * are the full program's: the same `*-cmd.ts` builds them.
 */
export function createFrequentProgram(deps: CliDeps, only?: string): Command {
  const program = baseProgram(deps);
  // A call names its sub-command first (bin/firebreak.js routes on it): building only that one saves the others'
  // options and help (~3-5 ms of a ~50 ms hook call).
  const chosen = only !== undefined && Object.hasOwn(FREQUENT_COMMANDS, only) ? [only] : Object.keys(FREQUENT_COMMANDS);
  for (const name of chosen) program.addCommand(FREQUENT_COMMANDS[name]!(deps));
  return withExitOverride(program);
}

const FREQUENT_COMMANDS: Record<string, (deps: CliDeps) => Command> = {
  run: runCommand,
  sh: shCommand,
  commands: commandsCommand,
  audit: auditCommand,
  policy: policyCommand,
  claude: claudeCommand,
};

