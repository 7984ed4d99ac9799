/**
 * The slash commands: the original command system's `/commands list|search|suggest|stats|reload|init` and
 * `/help`, plus `/plan` (the policy playground: nothing runs), `/role`, `/audit`, `/changes`, `/pool`, `/quit`.
 * Each answers with one finished block.
 */
import fs from "node:fs";
import path from "node:path";
import { closeNames } from "../commands/lookup.js";
import type { RegistryProblems } from "../commands/summary.js";
import { table } from "../cli/output.js";
import { auditTable } from "../cli/view/audit-text.js";
import { changesListText } from "../cli/view/changes-text.js";
import { problemsText } from "../cli/view/commands-text.js";
import { policyText } from "../cli/view/policy-text.js";
import { fullPlanText } from "./block-text.js";
import { fuzzyScore } from "./fuzzy.js";
import type { PromptLine } from "./line.js";
import { parsePromptLine } from "./line.js";
import { poolPanelText } from "./pool.js";
import type { Session } from "./session.js";
import { helpText, SLASH_COMMANDS } from "./slash-catalog.js";

/** A new definition's name: what `name:` accepts (namespaces as `a:b`). */
const NEW_NAME_RE = /^[a-zA-Z][a-zA-Z0-9_-]*(:[a-zA-Z][a-zA-Z0-9_-]*)*$/;
const DEFAULT_AUDIT_RECORDS = 10;

export async function runSlash(session: Session, line: Extract<PromptLine, { kind: "slash" }>): Promise<void> {
  const title = `/${line.name}${line.rest ? ` ${line.rest}` : ""}`;
  const { backend } = session;
  try {
    switch (line.name) {
      case "help":
      case "?":
        return session.info(title, helpText());
      case "quit":
      case "exit":
      case "q":
        return session.quit();
      case "commands":
        return session.info(title, await commandsSlash(session, line.args));
      case "plan":
        return session.info(title, await planSlash(session, line.rest));
      case "role":
        return roleSlash(session, title, line.args[0]);
      case "audit": {
        const n = line.args[0] ? Number(line.args[0]) : DEFAULT_AUDIT_RECORDS;
        if (!Number.isInteger(n) || n < 1) return session.info(title, `/audit takes a positive whole number of records, got '${line.args[0]}'`, "failed");
        return session.info(title, auditTable(await backend.auditTail(n)));
      }
      case "changes":
        return session.info(title, changesListText(await backend.changes()));
      case "pool": {
        const pool = await backend.pool();
        session.setPool(pool);
        if (pool) session.openPanel("pool");
        return session.info(title, poolPanelText(pool));
      }
      default: {
        const close = closeNames(line.name, SLASH_COMMANDS.map((c) => c.name));
        return session.info(title, `unknown command /${line.name}${close.length ? `; did you mean ${close.map((c) => `/${c}`).join(", ")}?` : ""} (/help lists them)`, "failed");
      }
    }
  } catch (error) {
    session.info(title, session.errorLine(error), "failed");
  }
}

async function commandsSlash(session: Session, args: string[]): Promise<string> {
  const [sub = "list", ...rest] = args;
  const { backend } = session;
  const commands = session.index.commands;
  switch (sub) {
    case "list":
      return table([["NAME", "RISK", "MODE", "DESCRIPTION"], ...commands.map((c) => [c.name, c.risk_level, c.execution_mode, c.description])]);
    case "search": {
      const q = rest.join(" ");
      if (!q) return "/commands search <query>: give what to look for";
      const hits = commands
        .map((c) => ({ c, score: Math.max(...[c.name, ...c.aliases].map((k) => fuzzyScore(q, k)), c.description.toLowerCase().includes(q.toLowerCase()) ? 1500 : -1) }))
        .filter((x) => x.score >= 0)
        .sort((a, b) => b.score - a.score);
      if (!hits.length) return `no command matches '${q}'`;
      return table([["NAME", "ALIASES", "DESCRIPTION"], ...hits.map(({ c }) => [c.name, c.aliases.join(",") || "-", c.description])]);
    }
    case "suggest": {
      const prefix = rest.join(" ");
      if (!prefix) return "/commands suggest <prefix>: give the start of a name or term";
      const names = session.index.match(prefix, 8).map((m) => `${m.info.name}${m.key !== m.info.name ? ` (alias ${m.key})` : ""} — ${m.info.description}`);
      await backend.loadTerms(session.state().role).catch(() => {});
      const terms = backend.terms(prefix, 8).map((t) => `${t.term} → concept ${t.concept}`);
      return [`commands:`, ...(names.length ? names.map((n) => `  ${n}`) : ["  (none)"]), `knowledge-graph terms (role ${session.state().role}):`, ...(terms.length ? terms.map((t) => `  ${t}`) : ["  (none)"])].join("\n");
    }
    case "stats":
      return statsText(session, await backend.problems());
    case "reload": {
      const problems = await backend.reload();
      await session.loadCommands();
      const lines = problemsText(session.output, problems);
      return [`reloaded: ${session.index.commands.length} commands`, ...lines].join("\n");
    }
    case "init":
      return initDefinition(await backend.projectCommandsDir(), rest[0]);
    default:
      return `unknown /commands ${sub}: list, search <q>, suggest <prefix>, stats, reload, init <name>`;
  }
}

function statsText(session: Session, problems: RegistryProblems): string {
  const commands = session.index.commands;
  const count = (key: (c: (typeof commands)[number]) => string) => {
    const m = new Map<string, number>();
    for (const c of commands) m.set(key(c), (m.get(key(c)) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ") || "-";
  };
  return [
    `${commands.length} commands (${commands.filter((c) => c.runnable).length} runnable), ${commands.reduce((n, c) => n + c.aliases.length, 0)} aliases`,
    `by risk: ${count((c) => c.risk_level)}`,
    `by mode: ${count((c) => c.execution_mode)}`,
    `problems: ${problems.errors.length} errors, ${problems.warnings.length} warnings, ${problems.conflicts.length} conflicts, ${problems.untrusted.length} untrusted, ${problems.shadowed.length} shadowed`,
  ].join("\n");
}

async function planSlash(session: Session, rest: string): Promise<string> {
  if (!rest) return "/plan <line>: a command line or a shell line to decide (nothing runs)";
  const { backend } = session;
  const role = session.state().role;
  const inner = parsePromptLine(rest);
  // A known command name plans the command; anything else is decided as a shell line.
  if (inner.kind === "command" && session.index.get(inner.name)) {
    await session.ensureParameters(inner.name);
    const prepared = await backend.prepare({ kind: "command", name: inner.name, args: inner.args }, role);
    return fullPlanText(session.output, prepared.plan, backend.mode === "daemon" ? "daemon" : undefined);
  }
  const line = inner.kind === "shell" ? inner.line : rest;
  return `${policyText(session.output, await backend.check(line, role))}\n(nothing ran)`;
}

function roleSlash(session: Session, title: string, name: string | undefined): void {
  const roles = session.backend.roles();
  if (!name) {
    session.info(title, `role: ${session.state().role}; roles: ${roles.join(", ") || "(unknown)"}`);
    return;
  }
  if (roles.length && !roles.includes(name)) {
    const close = closeNames(name, roles);
    session.info(title, `no role '${name}'${close.length ? `; did you mean ${close.join(", ")}?` : ""}; roles: ${roles.join(", ")}`, "failed");
    return;
  }
  session.setRole(name);
  session.info(title, `now running as role ${name}`);
}

/** `/commands init <name>`: a new definition in the project's command folder, never over an existing file. */
export function initDefinition(dir: string, name: string | undefined): string {
  if (!name) return "/commands init <name>: give the new command's name (letters, digits, - and _; namespaces as a:b)";
  if (!NEW_NAME_RE.test(name)) return `'${name}' is not a command name: it must match ${NEW_NAME_RE.source}`;
  const file = path.join(dir, ...name.split(":").slice(0, -1), `${name.split(":").at(-1)}.md`);
  if (fs.existsSync(file)) return `${file} exists already; not overwritten`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const leaf = name.split(":").at(-1)!;
  fs.writeFileSync(
    file,
    [
      "---",
      `name: ${leaf}`,
      `description: ${leaf} (describe what it does)`,
      "risk_level: low",
      "execution_mode: local",
      "permissions: [read]",
      "parameters:",
      "  - name: target",
      "    type: string",
      "    default_value: world",
      "command: |",
      "  printf '%s\\n' {{target}}",
      "---",
      "",
      `# ${leaf}`,
      "",
      "What it does, when to use it.",
      "",
    ].join("\n"),
    { flag: "wx" },
  );
  return `wrote ${file}\nproject command files are used once trusted: run 'firebreak trust' after editing it, then /commands reload`;
}
