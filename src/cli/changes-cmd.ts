/**
 * `firebreak changes list | show <id> [--diff] | apply <id> [--include-protected] | discard <id>`: what microVM runs
 * changed in their copy of the workspace, reviewed and brought to the host (or dropped).
 *
 * @example
 * // $ firebreak changes apply 20261201-101500-a1b2c3
 * // applied 2 change(s) from changeset 20261201-101500-a1b2c3 to /home/ada/project
 */
import { Command } from "commander";
import { changesService } from "../engine/changes.js";
import { UsageError } from "../errors.js";
import type { CliDeps } from "./deps.js";
import { askYesNo } from "./prompt.js";
import { applyReportText, changesetText, changesListText } from "./view/changes-text.js";

export function changesCommand(deps: CliDeps): Command {
  const service = async (self: Command) => changesService(await deps.context(rootOf(self)));
  const cmd = new Command("changes").description("review, apply or discard what microVM runs changed in their workspace copy");
  cmd
    .command("list")
    .description("list changesets, newest first")
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { json?: boolean }, self: Command) => {
      const items = (await service(self)).list();
      if (opts.json) deps.output.json(items);
      else deps.output.out(changesListText(items));
    });
  cmd
    .command("show")
    .description("the changes of one changeset (--diff: against the host's current files)")
    .argument("<id>", "changeset id (or a unique part of it) from `firebreak changes list`")
    .option("--diff", "show a unified diff of each file")
    .option("--json", "one JSON document on stdout")
    .action(async (id: string, opts: { diff?: boolean; json?: boolean }, self: Command) => {
      const changes = await service(self);
      const cs = changes.show(id);
      const diff = opts.diff ? await changes.diff(cs.id) : undefined;
      if (opts.json) deps.output.json(diff === undefined ? cs : { ...cs, diff });
      else deps.output.out(diff === undefined ? changesetText(cs) : `${changesetText(cs)}\n\n${diff.trimEnd() || "(no textual differences)"}`);
    });
  cmd
    .command("apply")
    .description("write the changes to the host, each file atomically; host files changed since the copy are conflicts, left alone")
    .argument("<id>", "changeset id (or a unique part of it)")
    .option("--include-protected", "also write protected paths (.git/, .firebreak/, firebreak.toml, [vm] protected_paths), after a confirmation")
    .option("--yes", "confirm --include-protected without a prompt")
    .option("--json", "one JSON document on stdout")
    .action(async (id: string, opts: { includeProtected?: boolean; yes?: boolean; json?: boolean }, self: Command) => {
      const changes = await service(self);
      const cs = changes.show(id);
      if (opts.includeProtected) {
        const protectedPaths = cs.entries.filter((e) => e.protected).map((e) => e.path);
        if (protectedPaths.length && !opts.yes) {
          if (!deps.isTTY) throw new UsageError(`--include-protected writes ${protectedPaths.join(", ")}: confirm with --yes (no terminal to ask on)`);
          if (!(await askYesNo(`Write ${protectedPaths.length} protected path(s) (${protectedPaths.slice(0, 3).join(", ")}${protectedPaths.length > 3 ? ", ..." : ""})?`))) {
            throw new UsageError("not confirmed: nothing was applied");
          }
        }
      }
      const { changeset, report } = await changes.apply(cs.id, { includeProtected: opts.includeProtected });
      if (opts.json) deps.output.json({ changeset: changeset.id, status: changeset.status, ...report });
      else deps.output.out(applyReportText(deps.output, changeset, report));
      if (report.conflicts.length || report.refused.length) deps.setExitStatus(1);
    });
  cmd
    .command("discard")
    .description("drop a changeset's contents without applying them (the record stays)")
    .argument("<id>", "changeset id (or a unique part of it)")
    .option("--json", "one JSON document on stdout")
    .action(async (id: string, opts: { json?: boolean }, self: Command) => {
      const cs = await (await service(self)).discard(id);
      if (opts.json) deps.output.json({ changeset: cs.id, status: cs.status });
      else deps.output.out(`discarded changeset ${cs.id} (${cs.entries.length} change(s))`);
    });
  return cmd;
}

function rootOf(c: Command): Command {
  let root = c;
  while (root.parent) root = root.parent;
  return root;
}
