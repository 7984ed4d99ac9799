import type { CommandDefinition } from "../commands/types.js";

/** The tools every firebreak MCP server has; a command whose name maps onto one of these is not offered. */
export const BUILTIN_TOOLS = ["run_shell", "plan", "list_commands"] as const;

/**
 * Tool names clients accept everywhere: the MCP spec allows `[A-Za-z0-9_.-]{1,128}`, but several model APIs
 * (Anthropic's, OpenAI's) take only `^[a-zA-Z0-9_-]{1,64}$`, so firebreak keeps to the intersection.
 */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * A command's tool name: its qualified name with each namespace separator `:` written as `__`
 * (`db:migrate` -> `db__migrate`). Command names are already `[a-zA-Z][a-zA-Z0-9_-]*`.
 *
 * @example
 * toolNameFor("db:migrate") // "db__migrate"
 */
export function toolNameFor(qualifiedName: string): string {
  return qualifiedName.replaceAll(":", "__");
}

export interface ToolMapping {
  tools: Map<string, CommandDefinition>;
  /** Runnable commands that get no tool, and why (listed by `list_commands`). */
  skipped: { command: string; reason: string }[];
}

/**
 * Which runnable definition each tool name stands for. A name that is not a valid tool name, takes a built-in
 * tool's name, or maps to a name another command already has (`a__b` and `a:b`) gets no tool: guessing which
 * one a client meant would run the wrong command.
 */
export function mapCommandTools(definitions: readonly CommandDefinition[]): ToolMapping {
  const tools = new Map<string, CommandDefinition>();
  const skipped: ToolMapping["skipped"] = [];
  const claimed = new Map<string, string[]>();
  for (const def of definitions) {
    if (def.command === undefined) continue;
    const name = toolNameFor(def.qualifiedName);
    claimed.set(name, [...(claimed.get(name) ?? []), def.qualifiedName]);
  }
  for (const def of [...definitions].sort((a, b) => a.qualifiedName.localeCompare(b.qualifiedName))) {
    if (def.command === undefined) continue;
    const name = toolNameFor(def.qualifiedName);
    const others = claimed.get(name)!.filter((n) => n !== def.qualifiedName);
    if (!TOOL_NAME_PATTERN.test(name)) skipped.push({ command: def.qualifiedName, reason: `'${name}' is not a valid MCP tool name (at most 64 of [a-zA-Z0-9_-])` });
    else if ((BUILTIN_TOOLS as readonly string[]).includes(name)) skipped.push({ command: def.qualifiedName, reason: `'${name}' is a built-in tool's name` });
    else if (others.length) skipped.push({ command: def.qualifiedName, reason: `'${name}' is also the tool name of ${others.join(", ")}` });
    else tools.set(name, def);
  }
  return { tools, skipped };
}
