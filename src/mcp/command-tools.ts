import type { McpServer, RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { CommandDefinition } from "../commands/types.js";
import { runInvocation, supportsFormElicitation } from "./call.js";
import { argumentTokens, inputShapeFor } from "./schema.js";
import type { McpSource } from "./source.js";
import { mapCommandTools } from "./tool-names.js";

/** A registered command tool and the definition file version it was made from. */
interface CommandTool {
  tool: RegisteredTool;
  sha256: string;
}

/**
 * Makes the server's command tools match `definitions`: new ones registered, changed ones replaced, removed ones
 * removed. The SDK sends `notifications/tools/list_changed` for each change once a client is connected.
 */
export function syncCommandTools(mcp: McpServer, source: McpSource, definitions: readonly CommandDefinition[], current: Map<string, CommandTool>): Map<string, CommandTool> {
  const { tools } = mapCommandTools(definitions);
  for (const [name, entry] of current) {
    const def = tools.get(name);
    if (def && def.source.sha256 === entry.sha256) continue;
    entry.tool.remove();
    current.delete(name);
  }
  for (const [name, def] of tools) {
    if (current.has(name)) continue;
    current.set(name, { tool: registerCommandTool(mcp, source, name, def), sha256: def.source.sha256 });
  }
  return current;
}

function registerCommandTool(mcp: McpServer, source: McpSource, name: string, def: CommandDefinition): RegisteredTool {
  return mcp.registerTool(
    name,
    {
      title: def.qualifiedName,
      description: `${def.description} (firebreak command '${def.qualifiedName}', ${def.risk_level} risk; the policy decides where it runs)`,
      inputSchema: inputShapeFor(def),
      annotations: annotationsFor(def),
    },
    // The definition is looked up again at call time, by name: a file edited since is what runs.
    (input, extra) => runInvocation(source, { kind: "command", name: def.qualifiedName, args: argumentTokens(def, input as Record<string, unknown>) }, extra, supportsFormElicitation(mcp.server.getClientCapabilities())),
  );
}

/**
 * Hints for clients, from the definition's declared risk: low risk with only `read` permission is read-only;
 * high and critical are destructive. Hints only: the policy decides on every call.
 */
export function annotationsFor(def: CommandDefinition): ToolAnnotations {
  const readOnly = def.risk_level === "low" && def.permissions.every((p) => p === "read");
  return {
    title: def.qualifiedName,
    readOnlyHint: readOnly,
    destructiveHint: !readOnly && (def.risk_level === "high" || def.risk_level === "critical"),
    openWorldHint: Boolean(def.resource_limits?.network_access),
  };
}
