import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { type CommandTrustChanges, commandTrustChanges, projectCommandDirs, revokeProjectCommands, trustProjectCommands } from "../config/command-trust.js";
import { findProjectConfig, loadConfig } from "../config/load.js";
import { resolvePaths } from "../paths.js";
import { listTrusted, revokeProjectFile, TRUST_ENV, trustProjectFile } from "../config/trust.js";
import { compilePolicy } from "../engine/compiled-policy.js";
import { RefusedError, UsageError } from "../errors.js";
import { sharedShellAnalyzer } from "../firebreak.js";
import type { CliDeps } from "./deps.js";
import { askYesNo } from "./prompt.js";
import { table } from "./output.js";

/**
 * `firebreak trust [file]`: allow a project's firebreak.toml and its command files (their exact content) to be used
 * here. New and changed command files are listed and shown before the question.
 */
export function trustCommand(deps: CliDeps): Command {
  const o = deps.output;
  return new Command("trust")
    .description("trust the project's firebreak.toml and command files (their current content) after reviewing them")
    .argument("[file]", "the config file (default: the nearest firebreak.toml upwards)")
    .option("--yes", "do not ask for confirmation")
    .option("--list", "list trusted files and whether they changed since")
    .option("--revoke", "stop trusting the file and the project's command files")
    .action(async (file: string | undefined, opts: { yes?: boolean; list?: boolean; revoke?: boolean }) => {
      const paths = resolvePaths(deps.env);
      if (opts.list) {
        const rows = listTrusted(paths);
        return o.out(rows.length ? table([["FILE", "TRUSTED AT", "CONTENT"], ...rows.map((r) => [r.file, r.trustedAt, r.current ? "unchanged" : "CHANGED (not used)"])]) : "no trusted project configs");
      }
      const target = file ? path.resolve(deps.cwd, file) : findProjectConfig(deps.cwd);
      if (file && !fs.existsSync(target ?? "")) throw new UsageError(`no firebreak.toml found at ${file}`);
      // Only to learn which command folders the project has; nothing from it is used before the answer.
      const loaded = await loadConfig({ cwd: deps.cwd, env: { ...deps.env, [TRUST_ENV]: "1" }, configFile: file });
      const dirs = projectCommandDirs(loaded).filter((d) => fs.existsSync(d));
      if (!target && dirs.length === 0) throw new UsageError(`no firebreak.toml or project command folder found in ${deps.cwd} or above`);
      if (opts.revoke) {
        if (target) o.out(revokeProjectFile(target, paths) ? `no longer trusted: ${target}` : `was not trusted: ${target}`);
        for (const dir of dirs) o.out(revokeProjectCommands(dir, paths) ? `no longer trusted: ${dir}` : `was not trusted: ${dir}`);
        return;
      }
      // A file that does not load is not trusted: loadConfig checked the schema and every name the file uses
      // (all problems at once); the rules' match/not_match examples need the real shell parser.
      compilePolicy(loaded.config, await sharedShellAnalyzer(), loaded.sources.at(-1)?.file);
      const changes = dirs.map((dir) => ({ dir, ...commandTrustChanges(dir, paths) }));
      if (!opts.yes) {
        if (!deps.isTTY) throw new RefusedError("trusting the project needs confirmation", ["run 'firebreak trust' on a terminal after reviewing the files, or pass --yes"]);
        if (target) o.err(`== ${target}\n${fs.readFileSync(target, "utf8")}`);
        for (const c of changes) o.err(describeChanges(c));
        if (!(await askYesNo("Trust the project as shown above?"))) throw new RefusedError("not trusted", ["declined at the prompt"]);
      }
      if (target) {
        const trusted = trustProjectFile(target, paths);
        o.out(`trusted: ${trusted.file} (sha256 ${trusted.sha256.slice(0, 12)}…); any edit needs a new 'firebreak trust'`);
      }
      for (const c of changes) {
        const trusted = trustProjectCommands(c.dir, paths);
        o.out(`trusted: ${trusted.files} command file(s) in ${trusted.dir} (${summary(c)}); any new or edited file needs a new 'firebreak trust'`);
      }
    });
}

function summary(c: CommandTrustChanges): string {
  return `${c.added.length} new, ${c.changed.length} changed, ${c.removed.length} removed`;
}

/** What changed in one command folder, with the full text of every new or changed file to review. */
function describeChanges(c: CommandTrustChanges & { dir: string }): string {
  const lines = [`== command files in ${c.dir}: ${summary(c)}`];
  for (const rel of c.removed) lines.push(`-- removed: ${rel}`);
  for (const [kind, list] of [["new", c.added], ["changed", c.changed]] as const) {
    for (const rel of list) lines.push(`-- ${kind}: ${rel}`, fs.readFileSync(path.join(c.dir, rel), "utf8"));
  }
  return lines.join("\n");
}
