import { Command } from "commander";
import { UsageError } from "../errors.js";
import type { CliDeps } from "./deps.js";
import { runAndReport } from "./run-cmd.js";

/**
 * `firebreak sh -- "<line>"`: an ad-hoc shell line, decided by the policy and run where it is placed (host,
 * microVM, or refused) with `run`'s output, exit codes, audit and --json. What an agent's shell tool runs.
 */
export function shCommand(deps: CliDeps): Command {
  return new Command("sh")
    .description('decide a shell line and run it where the policy places it: firebreak sh -- "make test"')
    .argument("<line...>", "the shell line (one argument, or words joined with spaces)")
    .option("--json", "write one JSON document (plan and result) to stdout")
    .option("--yes", "confirm 'ask' rules without prompting")
    .option("--role <role>", "role to run as (default: the config's default_role)")
    .option("--vm", "run it in a microVM even where the policy would allow the host")
    .option("--plan", "print the decision; run nothing")
    .option("--dry-run", "same as --plan")
    // Options go before the line: everything from its first word on is the line (`sh ls --json` lists "--json").
    .passThroughOptions()
    .action(async (words: string[], opts: { json?: boolean; yes?: boolean; role?: string; plan?: boolean; dryRun?: boolean; vm?: boolean }, self: Command) => {
      const line = words.join(" ");
      if (!line.trim()) throw new UsageError('give a shell line: firebreak sh -- "<line>"');
      const ctx = await deps.context(self.parent!);
      await runAndReport(deps, ctx, { kind: "shell", line, ...(opts.vm ? { vm: true } : {}) }, { json: opts.json, yes: opts.yes, role: opts.role, plan: opts.plan || opts.dryRun });
    });
}
