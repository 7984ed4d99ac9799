/**
 * `firebreak completion bash|zsh|fish` prints a shell completion script; the script asks
 * `firebreak __complete -- <words before the cursor> <current word>` for candidates, which come from the
 * program's own sub-commands and options and, after `run`, from the terminal UI's completion (command names,
 * aliases, `--parameters`, allowed values) over the loaded definitions.
 */
import { Command } from "commander";
import { UsageError } from "../errors.js";
import { commandInfo } from "../tui/backend.js";
import { CommandIndex, complete } from "../tui/complete.js";
import type { CliDeps } from "./deps.js";

const SHELLS = ["bash", "zsh", "fish"] as const;

export function completionCommand(deps: CliDeps): Command {
  return new Command("completion")
    .description("print shell completion: firebreak completion bash|zsh|fish (e.g. source <(firebreak completion bash))")
    .argument("<shell>", SHELLS.join("|"))
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`completion: unknown shell '${shell}'; one of ${SHELLS.join(", ")}`);
      deps.output.out(completionScript(shell as (typeof SHELLS)[number]));
    });
}

/** The hidden `__complete` command the scripts call: one candidate per line, `value<TAB>description`. */
export function completeCommand(deps: CliDeps): Command {
  return new Command("__complete")
    .argument("[words...]")
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[], _opts: unknown, self: Command) => {
      const program = self.parent!;
      for (const c of await candidates(deps, program, words)) deps.output.out(c.detail ? `${c.value}\t${c.detail.replace(/\s+/g, " ")}` : c.value);
    });
}

async function candidates(deps: CliDeps, program: Command, words: string[]): Promise<{ value: string; detail: string }[]> {
  const current = words.at(-1) ?? "";
  const visible = program.commands.filter((c) => !c.name().startsWith("__"));
  if (words.length <= 1) return visible.filter((c) => c.name().startsWith(current)).map((c) => ({ value: c.name(), detail: c.description() }));
  const sub = visible.find((c) => c.name() === words[0]);
  if (!sub) return [];
  if (sub.name() === "run") {
    const ctx = await deps.context(program);
    const index = new CommandIndex(ctx.registry.list().map(commandInfo));
    const line = words.slice(1).join(" ");
    return complete(line, line.length, { index, roles: Object.keys(ctx.config.roles) })
      .items.filter((i) => i.kind !== "term")
      .map((i) => ({ value: i.insert, detail: i.detail }));
  }
  const options = sub.options.map((o) => ({ value: o.long ?? o.short ?? "", detail: o.description })).filter((o) => o.value);
  if (sub.commands.length && words.length === 2) return [...sub.commands.map((c) => ({ value: c.name(), detail: c.description() })), ...options].filter((c) => c.value.startsWith(current));
  const leaf = sub.commands.find((c) => c.name() === words[1]);
  return [...(leaf?.options ?? []).map((o) => ({ value: o.long ?? "", detail: o.description })), ...options].filter((c) => c.value?.startsWith(current));
}

/**
 * @example
 * completionScript("bash") // "_firebreak() { ... }\ncomplete -F _firebreak firebreak"
 */
export function completionScript(shell: "bash" | "zsh" | "fish"): string {
  switch (shell) {
    case "bash":
      return [
        "# firebreak completion for bash: source <(firebreak completion bash)",
        "_firebreak() {",
        '  local IFS=$\'\\n\' cur="${COMP_WORDS[COMP_CWORD]}"',
        '  local out; out=$(firebreak __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null | cut -f1)',
        '  COMPREPLY=($(compgen -W "$out" -- "$cur"))',
        "}",
        "complete -o default -F _firebreak firebreak",
      ].join("\n");
    case "zsh":
      return [
        "#compdef firebreak",
        "# firebreak completion for zsh: source <(firebreak completion zsh)",
        "_firebreak() {",
        "  local -a items",
        '  items=("${(@f)$(firebreak __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null | sed \'s/:/\\\\:/g; s/\\t/:/\')}")',
        "  _describe 'firebreak' items",
        "}",
        "compdef _firebreak firebreak",
      ].join("\n");
    case "fish":
      return [
        "# firebreak completion for fish: firebreak completion fish | source",
        "function __firebreak_complete",
        "    set -l words (commandline -opc)[2..-1] (commandline -ct)",
        "    firebreak __complete -- $words 2>/dev/null",
        "end",
        "complete -c firebreak -f -a '(__firebreak_complete)'",
      ].join("\n");
  }
}
