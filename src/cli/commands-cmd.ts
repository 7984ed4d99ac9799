import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { usageLine } from "../commands/args.js";
import { CommandRegistry } from "../commands/registry.js";
import { commandSummary, definitionView, registryProblems } from "../commands/summary.js";
import { resolveCommand } from "../engine/plan.js";
import { EXIT, UsageError } from "../errors.js";
import type { CliDeps } from "./deps.js";
import { paint } from "./output.js";
import { commandsTable, problemsText, showText } from "./view/commands-text.js";

export function commandsCommand(deps: CliDeps): Command {
  const cmd = new Command("commands").description("list, show and validate command definitions");
  const { output: o } = deps;

  cmd
    .command("list")
    .description("list the available commands")
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { json?: boolean }, self: Command) => {
      const ctx = await deps.context(self.parent!.parent!);
      const commands = ctx.registry.list().map(commandSummary);
      if (opts.json) return o.json(commands);
      o.out(commandsTable(commands));
      for (const line of problemsText(o, registryProblems(ctx.registry.current))) o.err(line);
    });

  cmd
    .command("show <name>")
    .description("show one command's definition")
    .option("--json", "one JSON document on stdout")
    .action(async (name: string, opts: { json?: boolean }, self: Command) => {
      const ctx = await deps.context(self.parent!.parent!);
      const def = resolveCommand(ctx, name);
      if (opts.json) return o.json(definitionView(def));
      o.out(showText(o, definitionView(def), usageLine(def)));
    });

  cmd
    .command("check [paths...]")
    .description("validate definition files or folders (default: every configured folder); exit 1 on any error")
    .option("--json", "one JSON document on stdout")
    .action(async (paths: string[], opts: { json?: boolean }, self: Command) => {
      let registry: CommandRegistry;
      if (paths.length) {
        const abs = paths.map((p) => path.resolve(deps.cwd, p));
        const missing = abs.find((p) => !fs.existsSync(p));
        if (missing) throw new UsageError(`no such file or folder: ${missing}`);
        // A file is checked alone: its folder becomes a layer filtered down to the named files.
        const files = abs.filter((p) => fs.statSync(p).isFile());
        const dirs = abs.filter((p) => !files.includes(p));
        registry = new CommandRegistry([...dirs, ...files.map((f) => path.dirname(f))].map((dir) => ({ layer: "project" as const, dir })));
        const only = files.length && !dirs.length ? new Set(files) : undefined;
        registry.loadAll(only);
      } else {
        registry = (await deps.context(self.parent!.parent!)).registry;
      }
      const report = registry.current;
      if (opts.json) {
        o.json({
          ok: report.errors.length === 0 && report.conflicts.length === 0 && report.refused.length === 0,
          commands: report.definitions.map(commandSummary),
          errors: report.errors.map((e) => ({ message: e.message, ...e.location })),
          warnings: report.warnings,
          conflicts: report.conflicts,
          shadowed: report.shadowed,
          untrusted: report.refused,
          notices: report.notices,
        });
      } else {
        for (const d of report.definitions) o.out(`${paint(o, "green", "ok")}  ${d.qualifiedName}  ${paint(o, "dim", d.source.file)}`);
        for (const line of problemsText(o, registryProblems(report))) o.err(line);
        o.out(`${report.definitions.length} command${report.definitions.length === 1 ? "" : "s"}, ${report.errors.length} error(s), ${report.conflicts.length} conflict(s), ${report.warnings.length} warning(s), ${report.shadowed.length} shadowed, ${report.refused.length} untrusted`);
      }
      if (report.errors.length || report.conflicts.length || report.refused.length) deps.setExitStatus(EXIT.FAILURE);
    });
  cmd
    .command("watch")
    .description("watch the command folders and report every reload (Ctrl-C to stop)")
    .action(async (_opts: unknown, self: Command) => {
      const ctx = await deps.context(self.parent!.parent!);
      const o = deps.output;
      o.out(`watching: ${ctx.registry.dirs().join(", ")}`);
      const { watchRegistry } = await import("../commands/watch.js"); // chokidar: only for the one command that watches
      const watcher = watchRegistry(ctx.registry, (report, file) => {
        const stale = report.stale.includes(file) ? " (broken: still serving its last good version)" : "";
        o.out(`${new Date().toISOString()} reloaded ${file}${stale}: ${report.definitions.length} commands, ${report.errors.length} error(s)`);
        for (const e of report.errors.filter((x) => x.location.file === file)) o.err(`${paint(o, "red", "error")}: ${e.message}`);
      });
      await watcher.ready;
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await watcher.close();
    });
  return cmd;
}
