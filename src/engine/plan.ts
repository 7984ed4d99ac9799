import { randomUUID } from "node:crypto";
import { bindArguments } from "../commands/args.js";
import { checkPathParameters } from "../commands/path-params.js";
import type { CommandDefinition } from "../commands/types.js";
import { renderTemplateChecked } from "../commands/placeholder-check.js";
import { compileTemplate } from "../commands/template.js";
import { closeNames, loadErrorFor } from "../commands/lookup.js";
import { DefinitionError, UnknownCommandError } from "../errors.js";
import type { EngineContext } from "./context.js";
import { decide, SHELL_LINE_COMMAND } from "./decide.js";
import { checkConcepts } from "./knowledge.js";
import type { Invocation, InvocationOptions, Plan } from "./types.js";

/**
 * Turns an invocation into a plan: resolve the definition, bind arguments, render the template,
 * and run the policy pipeline. Nothing runs here.
 *
 * @example
 * const plan = await planInvocation(ctx, { kind: "command", name: "hello-world", args: ["--name", "Ada"] }, { cwd });
 * plan.rendered; plan.decision.placement;
 */
export async function planInvocation(ctx: EngineContext, invocation: Invocation, options: InvocationOptions): Promise<Plan> {
  const role = options.role ?? ctx.config.default_role;
  const base = { invocation, options, id: randomUUID(), user: ctx.user, role };
  if (invocation.kind === "shell") {
    const { decision, segments } = await decide(ctx, {
      script: invocation.line,
      commandName: SHELL_LINE_COMMAND,
      definitionRisk: "low",
      // Asking for a microVM only ever moves a line off the host: it is decided as an always-VM command.
      executionMode: invocation.vm ? "firecracker" : "hybrid",
      permissions: ["execute"],
      role,
      cwd: options.cwd,
    });
    return { ...base, parameters: {}, rendered: invocation.line, decision, segments };
  }

  const definition = invocation.definition ?? resolveCommand(ctx, invocation.name);
  const bound = bindArguments(definition, invocation.args);
  checkPathParameters(definition, bound.values, options.cwd);
  const rendered = definition.command ? await renderTemplateChecked(definition.template ?? compileTemplate(definition.command), bound.values) : undefined;
  const { notes: conceptNotes, ...concepts } = ctx.config.roles[role] ? await checkConcepts(ctx, definition, role) : { notes: [], matched: [], missing: [] };
  const { decision, segments } = await decide(ctx, {
    script: rendered,
    notRunnable: `${definition.qualifiedName} has no 'command' template: it can be listed and shown, but there is nothing to run (${definition.source.file})`,
    commandName: definition.qualifiedName,
    definitionRisk: definition.risk_level,
    executionMode: definition.execution_mode,
    permissions: definition.permissions,
    role,
    cwd: options.cwd,
    concepts,
    resourceLimits: definition.resource_limits,
    extraRefusals: conceptNotes,
  });
  return { ...base, definition, parameters: bound.values, rendered, decision, segments };
}

/**
 * The definition a name or alias stands for. A name whose file failed to load is a definition error that
 * says why; any other unknown name is a usage error with the names it was probably meant to be.
 */
export function resolveCommand(ctx: EngineContext, name: string): CommandDefinition {
  const definition = ctx.registry.resolve(name);
  if (definition) return definition;
  const failed = loadErrorFor(name, ctx.registry.current.errors);
  if (failed) throw new DefinitionError(`command '${name}' could not be loaded: ${failed.message}`, {}, { cause: failed });
  throw unknownCommand(ctx, name);
}

function unknownCommand(ctx: EngineContext, name: string): UnknownCommandError {
  const close = closeNames(name, ctx.registry.list().flatMap((d) => [d.qualifiedName, ...d.aliases]));
  const hint = close.length ? `; did you mean: ${close.join(", ")}?` : "; see 'firebreak commands list'";
  return new UnknownCommandError(`unknown command '${name}'${hint}`);
}
