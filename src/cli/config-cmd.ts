import { Command } from "commander";
import { stringify as toToml } from "smol-toml";
import { z } from "zod";
import { configSchema } from "../config/schema.js";
import type { CliDeps } from "./deps.js";

export function configCommand(deps: CliDeps): Command {
  const cmd = new Command("config").description("show the effective configuration or its JSON Schema");
  cmd
    .command("show")
    .description("print the effective configuration (defaults < user file < project file)")
    .option("--json", "as JSON instead of TOML")
    .action(async (opts: { json?: boolean }, self: Command) => {
      const ctx = await deps.context(self.parent!.parent!);
      if (opts.json) return deps.output.json({ sources: ctx.loaded.sources.map((s) => s.file), config: ctx.config });
      deps.output.out(`# sources (lowest precedence first): ${ctx.loaded.sources.map((s) => s.file).join(", ")}`);
      deps.output.out(toToml(stripUndefined(ctx.config)));
    });
  cmd
    .command("schema")
    .description("print the JSON Schema of firebreak.toml")
    .action(() => deps.output.json(z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" })));
  return cmd;
}

function stripUndefined(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
