import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { usageLine } from "../commands/args.js";
import { CommandRegistry, type RegistryShadowing } from "../commands/registry.js";
import { watchRegistry } from "../commands/watch.js";
import type { CommandDefinition } from "../commands/types.js";
import { UnknownCommandError, UsageError } from "../errors.js";
import type { CliDeps } from "./deps.js";
import { paint, table } from "./output.js";

/** A definition as `commands list --json` shows it. */
export function summarise(def: CommandDefinition) {
  return {
    name: def.qualifiedName,
    description: def.description,
    aliases: def.aliases,
    category: def.category ?? null,
    risk_level: def.risk_level,
    execution_mode: def.execution_mode,
    runnable: def.command !== undefined,
    layer: def.source.layer,
    file: def.source.file,
  };
}

export function commandsCommand(deps: CliDeps): Command {
  const cmd = new Command("commands").description("list, show and validate command definitions");
  const { output: o } = deps;

  cmd
    .command("list")
    .description("list the available commands")
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { json?: boolean }, self: Command) => {
      const ctx = await deps.context(self.parent!.parent!);
      const defs = ctx.registry.list();
      if (opts.json) return o.json(defs.map(summarise));
      const rows = [["NAME", "RISK", "MODE", "DESCRIPTION"], ...defs.map((d) => [d.qualifiedName, d.risk_level, d.execution_mode, d.description])];
      o.out(table(rows));
      reportProblems(deps, ctx.registry.current);
    });

  cmd
    .command("show <name>")
    .description("show one command's definition")
    .option("--json", "one JSON document on stdout")
    .action(async (name: string, opts: { json?: boolean }, self: Command) => {
      const ctx = await deps.context(self.parent!.parent!);
      const def = ctx.registry.resolve(name);
      if (!def) throw new UnknownCommandError(`unknown command '${name}'; see 'firebreak commands list'`);
      if (opts.json) return o.json({ ...def, body: undefined });
      const lines = [
        `${paint(o, "bold", def.qualifiedName)} — ${def.description}`,
        `usage:      ${usageLine(def)}`,
        `risk:       ${def.risk_level}    mode: ${def.execution_mode}`,
        `aliases:    ${def.aliases.join(", ") || "-"}`,
        `permissions: ${def.permissions.join(", ") || "-"}`,
        `concepts:   ${def.knowledge_graph_required.join(", ") || "-"}`,
        `timeout:    ${def.timeout !== undefined ? `${def.timeout} s` : "-"}`,
        `limits:     ${def.resource_limits ? JSON.stringify(def.resource_limits) : "-"}`,
        `source:     ${def.source.file} (${def.source.layer})`,
        "parameters:",
        ...def.parameters.map(
          (p) =>
            `  ${p.name} (${p.type}${p.required ? ", required" : ""}${p.default_value !== undefined ? `, default ${JSON.stringify(p.default_value)}` : ""})` +
            `${p.validation.allowed_values ? ` one of: ${p.validation.allowed_values.join(", ")}` : ""}${p.description ? ` — ${p.description}` : ""}`,
        ),
        def.command ? `command:\n${def.command.replace(/^/gm, "  ")}` : "command:    (none: this definition cannot run)",
      ];
      o.out(lines.join("\n"));
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
          commands: report.definitions.map(summarise),
          errors: report.errors.map((e) => ({ message: e.message, ...e.location })),
          warnings: report.warnings,
          conflicts: report.conflicts,
          shadowed: report.shadowed,
          untrusted: report.refused,
          notices: report.notices,
        });
      } else {
        for (const d of report.definitions) o.out(`${paint(o, "green", "ok")}  ${d.qualifiedName}  ${paint(o, "dim", d.source.file)}`);
        reportProblems(deps, report);
        o.out(`${report.definitions.length} command${report.definitions.length === 1 ? "" : "s"}, ${report.errors.length} error(s), ${report.conflicts.length} conflict(s), ${report.warnings.length} warning(s), ${report.shadowed.length} shadowed, ${report.refused.length} untrusted`);
      }
      if (report.errors.length || report.conflicts.length || report.refused.length) process.exitCode = 1;
    });
  cmd
    .command("watch")
    .description("watch the command folders and report every reload (Ctrl-C to stop)")
    .action(async (_opts: unknown, self: Command) => {
      const ctx = await deps.context(self.parent!.parent!);
      const o = deps.output;
      o.out(`watching: ${ctx.registry.dirs().join(", ")}`);
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

function reportProblems(deps: CliDeps, report: CommandRegistry["current"]): void {
  const o = deps.output;
  for (const n of report.notices) o.err(`${paint(o, "dim", "note")}: ${n}`);
  for (const w of report.warnings) o.err(`${paint(o, "yellow", "warning")}: ${w.file}${w.line ? `:${w.line}` : ""}: ${w.message}`);
  for (const e of report.errors) o.err(`${paint(o, "red", "error")}: ${e.message}`);
  for (const c of report.conflicts) o.err(`${paint(o, "red", "conflict")}: '${c.key}' is defined twice in the ${c.layer} layer: using ${c.winner}, ignoring ${c.loser}`);
  for (const r of report.refused) o.err(`${paint(o, "red", "untrusted")}: ${r.file}: not used (${r.names.join(", ") || "no names"}): ${r.reason}`);
  for (const s of report.shadowed) o.err(`${paint(o, "yellow", "shadowed")}: ${describeShadowing(s)}`);
}

/** One line saying which definition took a name or alias over from which. */
export function describeShadowing(s: RegistryShadowing): string {
  const what = s.key === s.hidden.name ? `the name '${s.key}'` : `'${s.key}' (an alias of ${s.hidden.name})`;
  return `${what} of the ${s.hidden.layer} command ${s.hidden.file} is taken over by ${s.winner.name} from the ${s.winner.layer} layer (${s.winner.file})`;
}
