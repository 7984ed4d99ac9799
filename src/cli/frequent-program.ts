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
export function createFrequentProgram(deps: CliDeps): Command {
  const program = baseProgram(deps);
  for (const sub of [runCommand(deps), shCommand(deps), commandsCommand(deps), auditCommand(deps), policyCommand(deps), claudeCommand(deps)]) program.addCommand(sub);
  return withExitOverride(program);
}

