/**
 * `firebreak hooks list [--role R] [--json]`: the effective hook pipeline of a role, in
 * execution order (pre-hooks, process monitors, post-hooks), then all seven built-ins, each active or
 * inactive and why.
 *
 * @example
 * program.addCommand(hooksCommand({
 *   listForRole: async (role) => listRoleHooks(ctx, role),
 *   stdout: (s) => process.stdout.write(s),
 * }));
 */
import { Command } from "commander";
import { table } from "./output.js";
import type { RoleHookListing } from "../engine/hooks-list.js";
import type { HookListRow } from "../hooks/types.js";

export interface HooksCommandDeps {
  listForRole(role?: string): Promise<RoleHookListing>;
  stdout(s: string): void;
}

/** The pipeline table, then one line per built-in: active or inactive, and why. */
export function formatHookListing(listing: RoleHookListing): string {
  const builtins = table(listing.builtins.map((b) => [`  ${b.name}`, b.active ? "active" : "inactive", b.why]));
  return `${formatHookRows(listing.pipeline)}\nbuilt-in hooks for role ${listing.role} (preset ${listing.preset}):\n${builtins}\n`;
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
      const listing = await deps.listForRole(opts.role);
      deps.stdout(opts.json ? `${JSON.stringify(listing, null, 2)}\n` : formatHookListing(listing));
    });
  return cmd;
}
