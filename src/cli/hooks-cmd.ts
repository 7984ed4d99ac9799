/**
 * `firebreak hooks list [--role R] [--json]`: the effective hook pipeline of a role, in
 * execution order (pre-hooks, process monitors, post-hooks).
 *
 * @example
 * program.addCommand(hooksCommand({
 *   listForRole: async (role) => describeHooks(buildHooks(cfg.hooks, { preset: presetOf(role) })),
 *   stdout: (s) => process.stdout.write(s),
 * }));
 */
import { Command } from "commander";
import { table } from "./output.js";
import type { HookListRow } from "../hooks/types.js";

export interface HooksCommandDeps {
  listForRole(role?: string): Promise<HookListRow[]>;
  stdout(s: string): void;
}

export function formatHookRows(rows: readonly HookListRow[]): string {
  if (rows.length === 0) return "no hooks\n";
  const header = ["PHASE", "PRIORITY", "NAME", "TIMEOUT", "SOURCE"];
  const body = rows.map((r) => [r.phase, String(r.priority), r.name, `${r.timeoutMs} ms`, r.source]);
  return `${table([header, ...body])}\n`;
}

export function hooksCommand(deps: HooksCommandDeps): Command {
  const cmd = new Command("hooks").description("show the hook pipeline");
  cmd
    .command("list")
    .description("list the effective hooks of a role in execution order")
    .option("--role <role>", "role whose hook preset to show (default: the configured default role)")
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { role?: string; json?: boolean }) => {
      const rows = await deps.listForRole(opts.role);
      deps.stdout(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : formatHookRows(rows));
    });
  return cmd;
}
