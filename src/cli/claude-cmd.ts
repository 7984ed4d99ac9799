import { Command } from "commander";
import { answerHookEvent } from "../claude/hook.js";
import { readStdinText } from "../claude/hook-input.js";
import { failClosed, type HookResult, hookStdout } from "../claude/hook-protocol.js";
import { HOOK_COMMAND, installHookSettings, settingsFile } from "../claude/settings.js";
import { UsageError } from "../errors.js";
import type { CliDeps } from "./deps.js";

/** `firebreak claude hook` (Claude Code calls it before and after each tool) and `firebreak claude install`. */
export function claudeCommand(deps: CliDeps): Command {
  const cmd = new Command("claude").description("Claude Code integration: a PreToolUse/PostToolUse hook and its installer");
  cmd
    .command("hook")
    .description("answer one Claude Code hook event read from stdin (allow / deny / ask); always exits 0")
    .option("--vm", "rewrite lines the policy places in a microVM to run through `firebreak sh` (else: ask)")
    .action(async (opts: { vm?: boolean }, self: Command) => {
      const input = await readStdinText();
      let result: HookResult;
      try {
        const ctx = await deps.context(self.parent!.parent!);
        result = await answerHookEvent(ctx, input, { cwd: deps.cwd, vm: Boolean(opts.vm) });
      } catch (error) {
        // A configuration that does not load must not let commands through unchecked (see failClosed).
        result = failClosed((error as Error)?.message ?? String(error));
      }
      process.stdout.write(hookStdout(result));
      if (result.message) deps.output.err(result.message);
    });
  cmd
    .command("install")
    .description("add firebreak's hook to Claude Code's settings.json (idempotent; the previous file is kept as settings.json.bak)")
    .option("--project", "this project's .claude/settings.json (the default)")
    .option("--user", "your ~/.claude/settings.json (or $CLAUDE_CONFIG_DIR)")
    .option("--vm", "install the hook with --vm: lines placed in a microVM run there through `firebreak sh`")
    .action((opts: { project?: boolean; user?: boolean; vm?: boolean }) => {
      if (opts.project && opts.user) throw new UsageError("give --project or --user, not both");
      const file = settingsFile(opts.user ? "user" : "project", deps.cwd, deps.env);
      const { changed, backup } = installHookSettings(file, opts.vm ? `${HOOK_COMMAND} --vm` : HOOK_COMMAND);
      if (!changed) deps.output.out(`firebreak's hook is already in ${file}`);
      else deps.output.out(`installed firebreak's hook in ${file}${backup ? ` (previous file kept as ${backup})` : ""}`);
    });
  return cmd;
}
