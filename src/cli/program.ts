import type { Command } from "commander";
import { auditCommand } from "./audit-cmd.js";
import { commandsCommand } from "./commands-cmd.js";
import { configCommand } from "./config-cmd.js";
import type { CliDeps } from "./deps.js";
import { demoCommand } from "./demo-cmd.js";
import { backupService } from "../engine/backups.js";
import { listRoleHooks } from "../engine/hooks-list.js";
import { resolveCommand } from "../engine/plan.js";
import { backupCommand } from "./backup-cmd.js";
import { changesCommand } from "./changes-cmd.js";
import { claudeCommand } from "./claude-cmd.js";
import { hooksCommand } from "./hooks-cmd.js";
import { kgCommand } from "./kg-cmd.js";
import { mcpCommand } from "./mcp-cmd.js";
import { policyCommand } from "./policy-cmd.js";
import { poolCommand } from "./pool-cmd.js";
import { runCommand } from "./run-cmd.js";
import { shCommand } from "./sh-cmd.js";
import { daemonCommand } from "./daemon-cmd.js";
import { serveCommand } from "./serve-cmd.js";
import { trustCommand } from "./trust-cmd.js";
import { tuiCommand } from "./tui-cmd.js";
import { completeCommand, completionCommand } from "./completion-cmd.js";
import { vmCommand } from "./vm-cmd.js";

import { baseProgram, withExitOverride } from "./program-base.js";
import { VERSION } from "./version.js";

export { VERSION };

/**
 * The `firebreak` program. Sub-commands throw typed errors; only process-entry.ts maps them to exit codes.
 *
 * @example
 * await createProgram(deps).parseAsync(["commands", "list"], { from: "user" });
 */
export function createProgram(deps: CliDeps): Command {
  const program = baseProgram(deps);
  const stdout = (s: string) => deps.output.out(s.replace(/\n$/, ""));
  const hooks = hooksCommand({
    stdout,
    listForRole: async (roleName) => listRoleHooks(await deps.context(program), roleName),
  });
  const kg = kgCommand({
    stdout,
    resolveRoleGraph: async (role) => {
      const ctx = await deps.context(program);
      return ctx.knowledge(role ?? ctx.config.default_role);
    },
    loadCommand: async (name) => {
      const ctx = await deps.context(program);
      const def = resolveCommand(ctx, name);
      return { name: def.qualifiedName, knowledge_graph_required: def.knowledge_graph_required };
    },
  });
  const backup = backupCommand({ backups: async () => backupService(await deps.context(program)), stdout });
  for (const sub of [runCommand(deps), shCommand(deps), commandsCommand(deps), configCommand(deps), auditCommand(deps), policyCommand(deps), kg, hooks, backup, changesCommand(deps), vmCommand(deps), poolCommand(deps), trustCommand(deps), serveCommand(deps), mcpCommand(deps), daemonCommand(deps), demoCommand(deps), claudeCommand(deps), tuiCommand(deps), completionCommand(deps)]) {
    program.addCommand(sub);
  }
  program.addCommand(completeCommand(deps), { hidden: true });
  return withExitOverride(program);
}
