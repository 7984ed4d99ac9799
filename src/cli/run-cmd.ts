import { createInterface } from "node:readline/promises";
import { Command } from "commander";
import type { CommandDefinition } from "../commands/types.js";
import type { EngineContext } from "../engine/context.js";
import { planInvocation } from "../engine/plan.js";
import { auditDryRun, commandLabel, executePlan } from "../engine/run.js";
import type { Plan, RunResult } from "../engine/types.js";
import { RefusedError, UnknownCommandError, UsageError } from "../errors.js";
import { describeShadowing } from "./commands-cmd.js";
import type { CliDeps } from "./deps.js";
import { type Output, paint } from "./output.js";

interface RunFlags {
  json?: boolean;
  yes?: boolean;
  role?: string;
  plan?: boolean;
}

/**
 * Splits firebreak's own options (`--json`, `--yes`, `--plan`, `--dry-run`, `--role R`) out of the
 * tokens after the command name. A name the command declares as a parameter stays the command's:
 * `deploy staging --dry-run` is deploy's own dry run, not firebreak's plan-only mode.
 */
export function splitRunTokens(def: CommandDefinition | undefined, tokens: readonly string[]): { flags: RunFlags; rest: string[] } {
  const declared = new Set(def?.parameters.map((p) => p.name.replaceAll("_", "-").toLowerCase()) ?? []);
  const flags: RunFlags = {};
  const rest: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "--") {
      rest.push(...tokens.slice(i));
      break;
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

export function runCommand(deps: CliDeps): Command {
  return new Command("run")
    .description("run a command where it is safe to run it")
    .argument("<name>", "command name or alias")
    .argument("[args...]", "arguments: positional, --name value, --name=value, name=value, --flag/--no-flag")
    .option("--json", "write one JSON document (plan and result) to stdout")
    .option("--yes", "confirm 'ask' rules without prompting")
    .option("--role <role>", "role to run as (default: the config's default_role)")
    .option("--plan", "print the rendered script and the decision; run nothing (also --dry-run, unless the command declares dry_run)")
    .option("--dry-run", "same as --plan")
    .passThroughOptions()
    .helpOption("-h, --help", "show help")
    .action(async (name: string, args: string[], opts: RunFlags & { dryRun?: boolean }, self: Command) => {
      const ctx = await deps.context(self.parent!);
      const def = ctx.registry.resolve(name);
      if (!def) throw new UnknownCommandError(`unknown command '${name}'; see 'firebreak commands list'`);
      const { flags, rest } = splitRunTokens(def, args);
      const merged: RunFlags = { ...opts, ...flags, plan: opts.plan || opts.dryRun || flags.plan };
      await runAndReport(deps, ctx, { kind: "command", name, args: rest }, merged);
    });
}

/** Plans, prints the decision header, runs, and sets the exit code. Shared by `run` and `vm`/`policy` helpers. */
export async function runAndReport(deps: CliDeps, ctx: EngineContext, invocation: Parameters<typeof planInvocation>[1], flags: RunFlags): Promise<void> {
  const o = deps.output;
  if (flags.json) {
    // stdout must carry exactly one JSON document: the command's own output is captured, not streamed.
    ctx.io = { stdout: () => {}, stderr: () => {} };
  }
  const plan = await planInvocation(ctx, invocation, { cwd: deps.cwd, role: flags.role, yes: flags.yes, isTTY: deps.isTTY });
  if (flags.plan) {
    await auditDryRun(ctx, plan);
    if (flags.json) o.json({ plan: planJson(plan) });
    else o.out(describePlan(o, plan));
    if (plan.decision.placement === "denied") process.exitCode = 77;
    return;
  }
  if (!flags.json) o.err(decisionHeader(o, plan));
  if (plan.definition) for (const s of ctx.registry.shadowedBy(plan.definition)) o.err(`firebreak: note: ${describeShadowing(s)}`); // issue 11
  let result: RunResult;
  try {
    result = await executePlan(ctx, plan, { prompt: deps.isTTY ? ask : undefined });
  } catch (error) {
    if (flags.json && error instanceof RefusedError) {
      o.json({ plan: planJson(plan), refused: { message: error.message, reasons: error.reasons } });
      process.exitCode = 77;
      return;
    }
    throw error;
  }
  if (flags.json) o.json({ plan: planJson(plan), result });
  else {
    if (result.killReason) o.err(paint(o, "red", `firebreak: ${commandLabel(plan)} ${result.killReason}`));
    if (result.vm) o.err(vmFooter(result.vm));
  }
  process.exitCode = result.exitCode;
}

/** Where a VM run happened, on stderr after it: backend, kernel, how the VM was made. */
function vmFooter(vm: Record<string, unknown>): string {
  const how = vm.restored_from ? `restored from snapshot ${String(vm.restored_from)}${vm.template_created ? " (template just created)" : ""}` : "cold boot";
  const unenforced = Array.isArray(vm.unenforced) && vm.unenforced.length ? `; NOT enforced: ${vm.unenforced.map((u: { limit: string; reason: string }) => `${u.limit} (${u.reason})`).join(", ")}` : "";
  const artifacts = vm.artifacts as { copied: string[]; skipped: { path: string; reason: string }[] } | null | undefined;
  const copied = artifacts?.copied.length ? `\nfirebreak: copied back from the VM: ${artifacts.copied.join(", ")}` : "";
  const skipped = artifacts?.skipped.map((s) => `\nfirebreak: not copied back: ${s.path} (${s.reason})`).join("") ?? "";
  return `firebreak: ran in a microVM: ${String(vm.backend)} ${String(vm.vm)}, guest kernel ${String(vm.kernel)}, ${how}, ready in ${String(vm.ready_ms)} ms${unenforced}${copied}${skipped}`;
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** The plan as `--json` shows it: secrets redacted. */
export function planJson(plan: Plan) {
  const secrets = new Set(plan.definition?.parameters.filter((p) => p.secret).map((p) => p.name));
  const parameters = Object.fromEntries(Object.entries(plan.parameters).map(([k, v]) => [k, secrets.has(k) ? "[redacted]" : v]));
  return { id: plan.id, command: plan.definition?.qualifiedName ?? null, role: plan.role, user: plan.user, parameters, rendered: plan.rendered ?? null, decision: plan.decision };
}

/** One or two lines on stderr before a command runs: where, why, and the concepts. */
export function decisionHeader(o: Output, plan: Plan): string {
  const d = plan.decision;
  const where = d.placement === "local" ? paint(o, "green", "local (host)") : d.placement === "vm" ? paint(o, "blue", "microVM") : paint(o, "red", "denied");
  const lines = [`firebreak: ${commandLabel(plan)} → ${where} · risk ${d.risk} · role ${plan.role}`];
  if (d.concepts.matched.length || d.concepts.missing.length) {
    const matched = d.concepts.matched.map((c) => `${c.required}${c.concept !== c.required ? `→${c.concept}` : ""} ✓`);
    const missing = d.concepts.missing.map((c) => `${c} ✗`);
    lines.push(`firebreak: concepts: ${[...matched, ...missing].join(", ")}`);
  }
  if (d.placement !== "local") {
    for (const r of d.reasons.slice(0, 6)) lines.push(`firebreak:   - ${r}`);
    if (d.reasons.length > 6) lines.push(`firebreak:   (${d.reasons.length - 6} more: --plan shows all)`);
  }
  return lines.join("\n");
}

/** The full human-readable plan (`--plan`). */
export function describePlan(o: Output, plan: Plan): string {
  const d = plan.decision;
  const lines = [
    decisionHeader(o, plan),
    "rendered script:",
    ...(plan.rendered ?? "(none)").split("\n").map((l) => `  ${l}`),
    "segments:",
    ...d.segments.map((s) => `  [${s.risk}${s.opaque ? ", opaque" : ""}] ${JSON.stringify(s.argv)}${s.reasons.length ? ` — ${s.reasons.join("; ")}` : ""}`),
    "reasons:",
    ...(d.reasons.length ? d.reasons.map((r) => `  - ${r}`) : ["  (none)"]),
  ];
  if (d.rules.length) lines.push("rules:", ...d.rules.map((r) => `  ${r.action} ${r.rule}${r.segment !== undefined ? ` (segment ${r.segment})` : ""}`));
  return lines.join("\n");
}
