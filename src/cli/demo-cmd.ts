import { Command } from "commander";
import { runAndReport } from "./run-cmd.js";
import type { CliDeps } from "./deps.js";
import { paint, table } from "./output.js";

/** The main job of `npm start`: show the bundled commands and what firebreak decides for them. */
export function demoCommand(deps: CliDeps): Command {
  return new Command("demo").description("list the commands, then run hello-world and show a few decisions").action(async (_opts: unknown, self: Command) => {
    const ctx = await deps.context(self.parent!);
    const o = deps.output;
    o.out(paint(o, "bold", "firebreak — commands available (bundled, user and project folders):"));
    o.out(table([["NAME", "RISK", "MODE", "DESCRIPTION"], ...ctx.registry.list().map((d) => [d.qualifiedName, d.risk_level, d.execution_mode, d.description])]));
    o.out(`\n${paint(o, "bold", "$ firebreak run hello-world --name Ada --greeting hi")}`);
    await runAndReport(deps, ctx, { kind: "command", name: "hello-world", args: ["--name", "Ada", "--greeting", "hi"] }, {});
    o.out(`\n${paint(o, "bold", "$ firebreak run hello-world --name '$(touch /tmp/pwned)'")}  (a value never becomes shell syntax)`);
    await runAndReport(deps, ctx, { kind: "command", name: "hello-world", args: ["--name", "$(touch /tmp/pwned)"] }, {});
    process.exitCode = 0;
  });
}
