import { Command } from "commander";
import { usageLine } from "../commands/args.js";
import { splitRunTokens } from "../commands/run-tokens.js";
import { definitionView } from "../commands/summary.js";
import type { EngineContext } from "../engine/context.js";
import { invoke } from "../engine/invoke.js";
import { resolveCommand } from "../engine/plan.js";
import type { Invocation } from "../engine/types.js";
import type { CliDeps } from "./deps.js";
import { changesService } from "../engine/changes.js";
import { askYesNo, settleRunChanges } from "./prompt.js";
import { applyQuestion, applyReportText, storedChangesLine } from "./view/changes-text.js";
import { commandHelpText } from "./view/commands-text.js";
import { RunView } from "./view/run-view.js";

interface RunFlags {
  json?: boolean;
  yes?: boolean;
  role?: string;
  plan?: boolean;
}

export function runCommand(deps: CliDeps): Command {
  return new Command("run")
    .description("run a command where it is safe to run it")
    .argument("<name>", "command name or alias")
    .argument("[args...]", "arguments: positional, --name value, --name=value, name=value, --flag/--no-flag; `run <name> --help` shows the command's own help")
    .option("--json", "write one JSON document (plan and result) to stdout")
    .option("--yes", "confirm 'ask' rules without prompting")
    .option("--role <role>", "role to run as (default: the config's default_role)")
    .option("--plan", "print the rendered script and the decision; run nothing (also --dry-run, unless the command declares dry_run)")
    .option("--dry-run", "same as --plan")
    .passThroughOptions()
    .helpOption("-h, --help", "show help")
    .action(async (name: string, args: string[], opts: RunFlags & { dryRun?: boolean }, self: Command) => {
      const ctx = await deps.context(self.parent!);
      const definition = resolveCommand(ctx, name);
      const { flags, rest } = splitRunTokens(definition, args);
      if (flags.help) {
        deps.output.out(commandHelpText(deps.output, definitionView(definition), usageLine(definition), definition.body));
        return;
      }
      const merged: RunFlags = { ...opts, ...flags, plan: opts.plan || opts.dryRun || flags.plan };
      await runAndReport(deps, ctx, { kind: "command", name, args: rest, definition }, merged);
    });
}

/** Runs one invocation in this process, shows it through the run view, and sets the exit status. */
export async function runAndReport(deps: CliDeps, ctx: EngineContext, invocation: Invocation, flags: RunFlags): Promise<void> {
  const view = new RunView(deps.output, {
    json: Boolean(flags.json),
    planOnly: Boolean(flags.plan),
    write: { stdout: (c) => process.stdout.write(c), stderr: (c) => process.stderr.write(c) },
    progress: { tty: Boolean(process.stderr.isTTY) },
  });
  await invoke(
    ctx,
    invocation,
    { cwd: deps.cwd, role: flags.role, yes: flags.yes, isTTY: deps.isTTY, env: deps.env },
    { planOnly: flags.plan, prompt: deps.isTTY ? askYesNo : undefined, emit: (e) => view.onEvent(e), signal: deps.signal },
  );
  const settled = await settleRunChanges(view.completed()?.changes, {
    isTTY: deps.isTTY,
    json: Boolean(flags.json),
    question: (c) => applyQuestion(c, deps.cwd),
    storedLine: storedChangesLine,
    apply: async (id) => {
      const { changeset, report } = await changesService(ctx).apply(id);
      return applyReportText(deps.output, changeset, report);
    },
  });
  if (settled) deps.output.err(settled);
  deps.setExitStatus(view.exitStatus());
}
