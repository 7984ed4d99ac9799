/**
 * Recognises the invocations the lean client sends to the daemon, with exactly the options the full CLI
 * accepts for them. Anything else (help, other sub-commands, global options such as --config) returns
 * undefined and runs in-process, so the client never guesses.
 */
export type ClientCommand =
  | { kind: "run"; name: string; tokens: string[]; json: boolean; yes: boolean; plan: boolean; role?: string }
  | { kind: "sh"; line: string; json: boolean; yes: boolean; plan: boolean; vm: boolean; role?: string }
  | { kind: "claude-hook"; vm: boolean }
  | { kind: "policy-check"; words: string[]; json: boolean; stdin: boolean; role?: string }
  | { kind: "commands-list"; json: boolean }
  | { kind: "commands-show"; name: string; json: boolean }
  | { kind: "audit-tail"; lines: string; json: boolean }
  | { kind: "audit-verify"; json: boolean };

export function parseClientArgv(argv: readonly string[]): ClientCommand | undefined {
  const [sub, ...rest] = argv;
  if (sub === "run") return parseRun(rest);
  if (sub === "sh") return parseSh(rest);
  if (sub === "claude" && rest[0] === "hook") {
    const o = options(rest.slice(1), ["--vm"], []);
    return o && !o.words.length ? { kind: "claude-hook", vm: o.flags.has("--vm") } : undefined;
  }
  if (sub === "policy" && rest[0] === "check") return parsePolicyCheck(rest.slice(1));
  if (sub === "commands" && rest[0] === "list") {
    const o = options(rest.slice(1), ["--json"], []);
    return o && !o.words.length ? { kind: "commands-list", json: o.flags.has("--json") } : undefined;
  }
  if (sub === "commands" && rest[0] === "show") {
    const o = options(rest.slice(1), ["--json"], []);
    return o && o.words.length === 1 ? { kind: "commands-show", name: o.words[0]!, json: o.flags.has("--json") } : undefined;
  }
  if (sub === "audit" && rest[0] === "tail") {
    const o = options(rest.slice(1), ["--json"], ["-n", "--lines"]);
    return o && !o.words.length ? { kind: "audit-tail", lines: o.values.get("-n") ?? o.values.get("--lines") ?? "10", json: o.flags.has("--json") } : undefined;
  }
  if (sub === "audit" && rest[0] === "verify") {
    const o = options(rest.slice(1), ["--json"], []);
    return o && !o.words.length ? { kind: "audit-verify", json: o.flags.has("--json") } : undefined;
  }
  return undefined;
}

/** The options `run` and `sh` share, before the command name or the line. */
interface RunFlags {
  /** `sh --vm` only. */
  vm?: boolean;
  json: boolean;
  yes: boolean;
  plan: boolean;
  role: string | undefined;
}

/**
 * Reads `[--json] [--yes] [--plan|--dry-run] [--role R]` up to the first other token; returns that token's index, or
 * undefined for anything the full CLI must answer (help, unknown options, nothing after the options).
 */
function leadingRunFlags(tokens: string[], flags: RunFlags, allowDashDash: boolean): number | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "--json") flags.json = true;
    else if (t === "--yes") flags.yes = true;
    else if (t === "--plan" || t === "--dry-run") flags.plan = true;
    else if (t === "--vm" && flags.vm !== undefined) flags.vm = true;
    else if (t === "--role" && tokens[i + 1] !== undefined) flags.role = tokens[++i];
    else if (t.startsWith("--role=")) flags.role = t.slice("--role=".length);
    else if (t.startsWith("-") && !(allowDashDash && t === "--")) return undefined; // help, unknown options: the full CLI answers
    else return i;
  }
  return undefined;
}

/** `run [--json] [--yes] [--plan|--dry-run] [--role R] <name> [tokens…]`: options after the name belong to the command. */
function parseRun(tokens: string[]): ClientCommand | undefined {
  const flags: RunFlags = { json: false, yes: false, plan: false, role: undefined };
  const at = leadingRunFlags(tokens, flags, false);
  return at === undefined ? undefined : { kind: "run", name: tokens[at]!, tokens: tokens.slice(at + 1), ...flags };
}

/** `sh [--json] [--yes] [--plan|--dry-run] [--role R] [--] <line…>`: as commander's passThroughOptions, the line starts at its first word. */
function parseSh(tokens: string[]): ClientCommand | undefined {
  const flags: RunFlags & { vm: boolean } = { json: false, yes: false, plan: false, vm: false, role: undefined };
  const at = leadingRunFlags(tokens, flags, true);
  if (at === undefined) return undefined;
  const line = tokens.slice(tokens[at] === "--" ? at + 1 : at).join(" ");
  // An empty line is a usage error: the full CLI words it.
  return line.trim() ? { kind: "sh", line, ...flags } : undefined;
}

function parsePolicyCheck(tokens: string[]): ClientCommand | undefined {
  const o = options(tokens, ["--json", "--stdin"], ["--role"]);
  if (!o) return undefined;
  return { kind: "policy-check", words: o.words, json: o.flags.has("--json"), stdin: o.flags.has("--stdin"), role: o.values.get("--role") };
}

/** Options anywhere before `--` (as commander parses them); undefined on anything unknown. */
function options(tokens: readonly string[], flagNames: string[], valueNames: string[]) {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const words: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "--") {
      words.push(...tokens.slice(i + 1));
      break;
    }
    if (flagNames.includes(t)) flags.add(t);
    else if (valueNames.includes(t) && tokens[i + 1] !== undefined) values.set(t, tokens[++i]!);
    else if (t.includes("=") && valueNames.includes(t.slice(0, t.indexOf("=")))) values.set(t.slice(0, t.indexOf("=")), t.slice(t.indexOf("=") + 1));
    else if (t.startsWith("-") && t !== "-") return undefined;
    else words.push(t);
  }
  return { flags, values, words };
}
