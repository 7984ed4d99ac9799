import type { RegistryReport, RegistryShadowing } from "./registry.js";
import type { CommandDefinition } from "./types.js";

/** A definition as `commands list --json` and `GET /v1/commands` show it. */
export type CommandSummary = ReturnType<typeof commandSummary>;

export function commandSummary(def: CommandDefinition) {
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

/** What is wrong with the loaded definitions, serialisable (errors become their located messages). */
export interface RegistryProblems {
  notices: string[];
  warnings: { file: string; line?: number; message: string }[];
  errors: { message: string; file?: string; line?: number; field?: string }[];
  conflicts: RegistryReport["conflicts"];
  /** Names or aliases a definition took over from another layer (each also stated when it runs). */
  shadowed: string[];
  /** Project command files not used because they are not trusted. */
  untrusted: { file: string; names: string[]; reason: string }[];
}

export function registryProblems(report: RegistryReport): RegistryProblems {
  return {
    notices: report.notices,
    warnings: report.warnings,
    errors: report.errors.map((e) => ({ message: e.message, ...e.location })),
    conflicts: report.conflicts,
    shadowed: report.shadowed.map(describeShadowing),
    untrusted: report.refused.map((r) => ({ file: r.file, names: r.names, reason: r.reason })),
  };
}

/** One line saying which definition took a name or alias over from which. */
export function describeShadowing(s: RegistryShadowing): string {
  const what = s.key === s.hidden.name ? `the name '${s.key}'` : `'${s.key}' (an alias of ${s.hidden.name})`;
  return `${what} of the ${s.hidden.layer} command ${s.hidden.file} is taken over by ${s.winner.name} from the ${s.winner.layer} layer (${s.winner.file})`;
}

/** A definition as `commands show --json` and `GET /v1/commands/{name}` give it (the markdown body left out). */
export type DefinitionView = Omit<CommandDefinition, "body" | "template">;

export function definitionView(def: CommandDefinition): DefinitionView {
  const { body: _body, ...rest } = def;
  return rest;
}
