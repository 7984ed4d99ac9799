import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { findProjectConfig } from "../config/load.js";
import { resolvePaths } from "../paths.js";
import { listTrusted, revokeProjectFile, trustProjectFile } from "../config/trust.js";
import { RefusedError, UsageError } from "../errors.js";
import type { CliDeps } from "./deps.js";
import { askYesNo } from "./prompt.js";
import { table } from "./output.js";

/** `firebreak trust [file]`: allow a project's firebreak.toml (its exact content) to configure firebreak here. */
export function trustCommand(deps: CliDeps): Command {
  const o = deps.output;
  return new Command("trust")
    .description("trust the project's firebreak.toml (its current content) after reviewing it")
    .argument("[file]", "the config file (default: the nearest firebreak.toml upwards)")
    .option("--yes", "do not ask for confirmation")
    .option("--list", "list trusted files and whether they changed since")
    .option("--revoke", "stop trusting the file")
    .action(async (file: string | undefined, opts: { yes?: boolean; list?: boolean; revoke?: boolean }) => {
      const paths = resolvePaths(deps.env);
      if (opts.list) {
        const rows = listTrusted(paths);
        return o.out(rows.length ? table([["FILE", "TRUSTED AT", "CONTENT"], ...rows.map((r) => [r.file, r.trustedAt, r.current ? "unchanged" : "CHANGED (not used)"])]) : "no trusted project configs");
      }
      const target = file ? path.resolve(deps.cwd, file) : findProjectConfig(deps.cwd);
      if (!target || !fs.existsSync(target)) throw new UsageError(`no firebreak.toml found${file ? ` at ${file}` : ` in ${deps.cwd} or above`}`);
      if (opts.revoke) return o.out(revokeProjectFile(target, paths) ? `no longer trusted: ${target}` : `was not trusted: ${target}`);
      if (!opts.yes) {
        if (!deps.isTTY) throw new RefusedError(`trusting ${target} needs confirmation`, ["run 'firebreak trust' on a terminal after reviewing the file, or pass --yes"]);
        o.err(fs.readFileSync(target, "utf8"));
        if (!(await askYesNo(`Trust ${target} as shown above?`))) throw new RefusedError("not trusted", ["declined at the prompt"]);
      }
      const trusted = trustProjectFile(target, paths);
      o.out(`trusted: ${trusted.file} (sha256 ${trusted.sha256.slice(0, 12)}…); any edit needs a new 'firebreak trust'`);
    });
}
