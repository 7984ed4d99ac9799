import { UsageError } from "../errors.js";

export interface RunOptionFlags {
  json?: boolean;
  yes?: boolean;
  role?: string;
  plan?: boolean;
  /** `--help` / `-h`: show the command's usage and documentation instead of running it. */
  help?: boolean;
}

/**
 * Splits firebreak's own options (`--json`, `--yes`, `--plan`, `--dry-run`, `--role R`, `--help`/`-h`) out of the
 * tokens after the command name. A name the command declares as a parameter stays the command's:
 * `deploy staging --dry-run` is deploy's own dry run, not firebreak's plan-only mode. Pure (no engine),
 * so the lean daemon client splits exactly as the in-process CLI does.
 *
 * @example
 * splitRunTokens({ parameters: [{ name: "dry_run" }] }, ["staging", "--dry-run", "--json"])
 * // { flags: { json: true }, rest: ["staging", "--dry-run"] }
 */
export function splitRunTokens(def: { parameters: readonly { name: string }[] } | undefined, tokens: readonly string[]): { flags: RunOptionFlags; rest: string[] } {
  const declared = new Set(def?.parameters.map((p) => p.name.replaceAll("_", "-").toLowerCase()) ?? []);
  const flags: RunOptionFlags = {};
  const rest: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "--") {
      rest.push(...tokens.slice(i));
      break;
    }
    if ((t === "--help" || t === "-h") && !declared.has(t.replace(/^-+/, ""))) {
      flags.help = true;
      continue;
    }
    const m = /^--(json|yes|plan|dry-run|role)(?:=(.*))?$/s.exec(t);
    if (!m || declared.has(m[1]!)) {
      rest.push(t);
      continue;
    }
    if (m[1] === "role") {
      const value = m[2] ?? tokens[++i];
      if (value === undefined) throw new UsageError("--role needs a value");
      flags.role = value;
    } else if (m[1] === "dry-run" || m[1] === "plan") flags.plan = true;
    else flags[m[1] as "json" | "yes"] = true;
  }
  return { flags, rest };
}
