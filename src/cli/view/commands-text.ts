import type { CommandSummary, DefinitionView, RegistryProblems } from "../../commands/summary.js";
import { type Output, paint, table } from "../output.js";

/** `commands list`: one row per command. */
export function commandsTable(commands: readonly CommandSummary[]): string {
  return table([["NAME", "RISK", "MODE", "DESCRIPTION"], ...commands.map((d) => [d.name, d.risk_level, d.execution_mode, d.description])]);
}

/** Notices, warnings, errors and conflicts of the loaded definitions, for stderr. */
export function problemsText(o: Output, report: RegistryProblems): string[] {
  return [
    ...report.notices.map((n) => `${paint(o, "dim", "note")}: ${n}`),
    ...report.warnings.map((w) => `${paint(o, "yellow", "warning")}: ${w.file}${w.line ? `:${w.line}` : ""}: ${w.message}`),
    ...report.errors.map((e) => `${paint(o, "red", "error")}: ${e.message}`),
    ...report.conflicts.map((c) => `${paint(o, "red", "conflict")}: '${c.key}' is defined twice in the ${c.layer} layer: using ${c.winner}, ignoring ${c.loser}`),
    ...report.untrusted.map((r) => `${paint(o, "red", "untrusted")}: ${r.file}: not used (${r.names.join(", ") || "no names"}): ${r.reason}`),
    ...report.shadowed.map((line) => `${paint(o, "yellow", "shadowed")}: ${line}`),
  ];
}

/** One parameter: name, type, required or default, allowed values, description. */
function parameterLine(p: DefinitionView["parameters"][number]): string {
  return (
    `  ${p.name} (${p.type}${p.required ? ", required" : ""}${p.default_value !== undefined ? `, default ${JSON.stringify(p.default_value)}` : ""})` +
    `${p.validation.allowed_values ? ` one of: ${p.validation.allowed_values.join(", ")}` : ""}${p.description ? ` — ${p.description}` : ""}`
  );
}

/**
 * `firebreak run <name> --help`: how to call the command (usage, parameters, firebreak's own options), what it
 * is (risk, where it runs), and its markdown documentation.
 */
export function commandHelpText(o: Output, def: DefinitionView, usage: string, documentation: string): string {
  const lines = [
    `usage: firebreak run ${usage}`,
    "",
    `${paint(o, "bold", def.qualifiedName)} — ${def.description}`,
    `risk ${def.risk_level} · mode ${def.execution_mode}${def.aliases.length ? ` · aliases ${def.aliases.join(", ")}` : ""}`,
    "",
    "parameters:",
    ...(def.parameters.length ? def.parameters.map(parameterLine) : ["  (none)"]),
    "",
    "firebreak's options (before or after the name, unless the command declares one): --json, --yes, --plan/--dry-run, --role R",
  ];
  const doc = documentation.trim();
  if (doc) lines.push("", doc);
  return lines.join("\n");
}

/** `commands show <name>`: the definition, its usage line and parameters. */
export function showText(o: Output, def: DefinitionView, usage: string): string {
  return [
    `${paint(o, "bold", def.qualifiedName)} — ${def.description}`,
    `usage:      ${usage}`,
    `risk:       ${def.risk_level}    mode: ${def.execution_mode}`,
    `aliases:    ${def.aliases.join(", ") || "-"}`,
    `permissions: ${def.permissions.join(", ") || "-"}`,
    `concepts:   ${def.knowledge_graph_required.join(", ") || "-"}`,
    `timeout:    ${def.timeout !== undefined ? `${def.timeout} s` : "-"}`,
    `limits:     ${def.resource_limits ? JSON.stringify(def.resource_limits) : "-"}`,
    `source:     ${def.source.file} (${def.source.layer})`,
    "parameters:",
    ...def.parameters.map(parameterLine),
    def.command ? `command:\n${def.command.replace(/^/gm, "  ")}` : "command:    (none: this definition cannot run)",
  ].join("\n");
}
