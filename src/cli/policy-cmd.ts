import { createInterface } from "node:readline";
import { Command } from "commander";
import type { EngineContext } from "../engine/context.js";
import { planInvocation } from "../engine/plan.js";
import type { Decision } from "../engine/types.js";
import { UsageError } from "../errors.js";
import type { CliDeps } from "./deps.js";
import { paint } from "./output.js";

/** The JSON shape of one `policy check` answer (documented in the README). */
export function decisionJson(line: string, d: Decision) {
  return {
    line,
    risk: d.risk,
    placement: d.placement,
    reasons: d.reasons,
    segments: d.segments.map((s) => ({ argv: s.argv, risk: s.risk, opaque: s.opaque, reasons: s.reasons })),
    rules: d.rules,
  };
}

async function check(ctx: EngineContext, deps: CliDeps, line: string, role?: string) {
  const plan = await planInvocation(ctx, { kind: "shell", line }, { cwd: deps.cwd, role });
  return decisionJson(line, plan.decision);
}

export function policyCommand(deps: CliDeps): Command {
  const cmd = new Command("policy").description("ask the policy pipeline about a shell line");
  cmd
    .command("check [line...]")
    .description('decide a shell line: firebreak policy check -- "rm -rf /"; or one line per stdin line with --stdin')
    .option("--role <role>", "role to decide for")
    .option("--json", "JSON output (with --stdin: one JSON object per input line)")
    .option("--stdin", "read shell lines from stdin, one per line")
    .action(async (words: string[], opts: { role?: string; json?: boolean; stdin?: boolean }, self: Command) => {
      const ctx = await deps.context(self.parent!.parent!);
      const o = deps.output;
      if (opts.stdin) {
        if (words.length) throw new UsageError("give either --stdin or a line, not both");
        const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
        for await (const line of rl) {
          if (!line.trim()) continue;
          const answer = await check(ctx, deps, line, opts.role);
          if (opts.json) process.stdout.write(`${JSON.stringify(answer)}\n`);
          else o.out(`${answer.placement.padEnd(6)} ${answer.risk.padEnd(8)} ${line}`);
        }
        return;
      }
      const line = words.join(" ");
      if (!line.trim()) throw new UsageError('give a shell line: firebreak policy check -- "<line>"');
      const answer = await check(ctx, deps, line, opts.role);
      if (opts.json) return o.json(answer);
      const colour = answer.placement === "local" ? "green" : answer.placement === "vm" ? "blue" : "red";
      o.out(`${paint(o, colour, answer.placement)} · risk ${answer.risk}`);
      for (const s of answer.segments) o.out(`  [${s.risk}${s.opaque ? ", opaque" : ""}] ${JSON.stringify(s.argv)}${s.reasons.length ? ` — ${s.reasons.join("; ")}` : ""}`);
      for (const r of answer.reasons) o.out(`  - ${r}`);
      if (answer.placement === "denied") process.exitCode = 77;
    });
  return cmd;
}
