import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { commandSummary } from "../commands/summary.js";
import { planInvocation } from "../engine/plan.js";
import { policyAnswer } from "../engine/plan-view.js";
import { auditDryRun } from "../engine/run.js";
import type { Invocation } from "../engine/types.js";
import { runInvocation, supportsFormElicitation } from "./call.js";
import { errorResult, planResult } from "./results.js";
import { argumentTokens } from "./schema.js";
import type { McpSource } from "./source.js";
import { mapCommandTools, toolNameFor } from "./tool-names.js";

/** `run_shell`, `plan` and `list_commands`: the tools every firebreak MCP server has. */
export function registerBuiltinTools(mcp: McpServer, source: McpSource): void {
  const canElicit = () => supportsFormElicitation(mcp.server.getClientCapabilities());

  mcp.registerTool(
    "run_shell",
    {
      title: "Run a shell line through firebreak's policy",
      description:
        "Runs one shell line where firebreak's policy places it: on the host when it is low risk, in a microVM when it is riskier, or not at all (a tool error with the reasons). Same as `firebreak sh -c LINE`. Returns exit code, stdout, stderr, placement, risk and reasons.",
      inputSchema: { line: z.string().min(1).describe("The shell line, e.g. `ls -la src` or `npm test`") },
      annotations: { destructiveHint: true, openWorldHint: true },
    },
    (input, extra) => runInvocation(source, { kind: "shell", line: input.line }, extra, canElicit()),
  );

  mcp.registerTool(
    "plan",
    {
      title: "Decide without running",
      description:
        "What firebreak would do with a shell line or a command, without running it: placement (local, vm, denied), risk, reasons, the rendered script. Give `line`, or `command` with its `arguments`.",
      inputSchema: {
        line: z.string().min(1).optional().describe("A shell line"),
        command: z.string().min(1).optional().describe("A command name (as `list_commands` shows it, e.g. `db:migrate`)"),
        arguments: z.record(z.string(), z.unknown()).optional().describe("The command's parameters by name"),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (input) => {
      try {
        const ctx = await source.context();
        let invocation: Invocation;
        if (input.line !== undefined && input.command === undefined) invocation = { kind: "shell", line: input.line };
        else if (input.command !== undefined && input.line === undefined) {
          const definition = ctx.registry.resolve(input.command);
          const args = definition ? argumentTokens(definition, input.arguments ?? {}) : [];
          invocation = { kind: "command", name: input.command, args, definition };
        } else return errorResult(new Error("give either 'line' or 'command' (with 'arguments')"));
        const plan = await planInvocation(ctx, invocation, { cwd: source.cwd, role: source.role, env: source.env, isTTY: false });
        await auditDryRun(ctx, plan);
        return planResult(plan, policyAnswer(input.line ?? plan.rendered ?? input.command!, plan.decision));
      } catch (error) {
        return errorResult(error);
      }
    },
  );

  mcp.registerTool(
    "list_commands",
    {
      title: "List firebreak commands",
      description: "The command definitions this project has, each with its tool name (`db:migrate` is the tool `db__migrate`), risk level and description.",
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      try {
        const ctx = await source.context();
        const definitions = ctx.registry.list();
        const { tools, skipped } = mapCommandTools(definitions);
        const offered = new Set([...tools.values()].map((d) => d.qualifiedName));
        const commands = definitions.map((d) => ({ ...commandSummary(d), tool: offered.has(d.qualifiedName) ? toolNameFor(d.qualifiedName) : null }));
        const text = commands.map((c) => `${c.name}${c.tool && c.tool !== c.name ? ` (tool ${c.tool})` : c.tool ? "" : " (no tool)"}: ${c.description} [${c.risk_level} risk]`);
        for (const s of skipped) text.push(`note: ${s.command} has no tool: ${s.reason}`);
        return { content: [{ type: "text", text: text.join("\n") || "no commands" }], structuredContent: { commands, skipped } };
      } catch (error) {
        return errorResult(error);
      }
    },
  );
}
