import { Command } from "commander";
import { checkLines } from "../engine/policy-check.js";
import { EXIT, UsageError } from "../errors.js";
import type { CliDeps } from "./deps.js";
import { policyLine, policyText } from "./view/policy-text.js";

export function policyCommand(deps: CliDeps): Command {
  const cmd = new Command("policy").description("ask the policy pipeline about a shell line");
  cmd
    .command("check [line...]")
    .description('decide a shell line: firebreak policy check -- "rm -rf /" (exit 77 when denied); or one line per stdin line with --stdin')
    .option("--role <role>", "role to decide for")
    .option("--json", "JSON output (with --stdin: one JSON object per input line)")
    .option("--stdin", "read shell lines from stdin, one per line; exits 77 when any line is denied, after answering every line")
    .action(async (words: string[], opts: { role?: string; json?: boolean; stdin?: boolean }, self: Command) => {
      const ctx = await deps.context(self.parent!.parent!);
      const o = deps.output;
      const decideOne = async (line: string) => (await checkLines(ctx, [line], { cwd: deps.cwd, role: opts.role }))[0]!;
      if (opts.stdin) {
        if (words.length) throw new UsageError("give either --stdin or a line, not both");
        const { createInterface } = await import("node:readline"); // only when it reads --stdin
        const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
        let denied = false;
        for await (const line of rl) {
          if (!line.trim()) continue;
          const answer = await decideOne(line);
          denied ||= answer.placement === "denied";
          if (opts.json) process.stdout.write(`${JSON.stringify(answer)}\n`);
          else o.out(policyLine(answer));
        }
        // Like a single check: a script can tell from the status that some line was denied.
        if (denied) deps.setExitStatus(EXIT.REFUSED);
        return;
      }
      const line = words.join(" ");
      if (!line.trim()) throw new UsageError('give a shell line: firebreak policy check -- "<line>"');
      const answer = await decideOne(line);
      if (opts.json) o.json(answer);
      else o.out(policyText(o, answer));
      if (answer.placement === "denied") deps.setExitStatus(EXIT.REFUSED);
    });
  return cmd;
}
