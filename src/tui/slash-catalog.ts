/** The terminal UI's slash commands: names, what they take, what they do (for /help and completion). */

export interface SlashCommand {
  name: string;
  args: string;
  description: string;
  /** Sub-commands completed after the name (`/commands list`). */
  subcommands?: readonly { name: string; args: string; description: string }[];
}

export const SLASH_COMMANDS: readonly SlashCommand[] = [
  {
    name: "commands",
    args: "list|search|suggest|stats|reload|init",
    description: "the command definitions",
    subcommands: [
      { name: "list", args: "", description: "every command with its risk and mode" },
      { name: "search", args: "<query>", description: "commands whose name, alias or description match" },
      { name: "suggest", args: "<prefix>", description: "command names and knowledge-graph terms for a prefix" },
      { name: "stats", args: "", description: "how many commands per layer, risk and mode; load problems" },
      { name: "reload", args: "", description: "read the definitions again" },
      { name: "init", args: "<name>", description: "scaffold .firebreak/commands/<name>.md in the project" },
    ],
  },
  { name: "plan", args: "<line>", description: "policy playground: segments and judgements, nothing runs" },
  { name: "role", args: "<name>", description: "run as another role (no name: show the roles)" },
  { name: "audit", args: "[n]", description: "the last audit records" },
  { name: "changes", args: "", description: "changesets microVM runs left" },
  { name: "pool", args: "", description: "the daemon's VM pool: ready, in use, queued, latency, alerts" },
  { name: "help", args: "", description: "keys and commands" },
  { name: "quit", args: "", description: "leave (also Ctrl-D, or Ctrl-C twice)" },
];

/** /help: keys first, then every slash command. */
export function helpText(): string {
  const lines = [
    "Type a command (Tab completes names, --parameters and values), !<shell line>, or /<command>.",
    "Keys: Tab accept suggestion · Ctrl-N/Ctrl-P choose · ↑/↓ history · Ctrl-C cancel the run",
    "      (twice on an empty prompt: quit) · Ctrl-D quit · Ctrl-U clear · Ctrl-W delete word",
    "Low-risk host runs start at once; asks and medium risk or above wait for y/n.",
    "",
  ];
  for (const c of SLASH_COMMANDS) {
    lines.push(`/${c.name}${c.args ? ` ${c.args}` : ""} — ${c.description}`);
    for (const s of c.subcommands ?? []) lines.push(`  /${c.name} ${s.name}${s.args ? ` ${s.args}` : ""} — ${s.description}`);
  }
  return lines.join("\n");
}
