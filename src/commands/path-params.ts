import fs from "node:fs";
import path from "node:path";
import { ArgumentError } from "../errors.js";
import { usageLine } from "./args.js";
import type { CommandDefinition } from "./types.js";

/**
 * Checks `path` parameters against the real working directory before anything runs: a value whose real path (after
 * symlinks) leaves the directory is refused, and `must_exist` values must be there. In a microVM the command only sees
 * the copied workspace, so refusing here replaces a broken result after the VM ran with a clear error before it starts.
 */
export function checkPathParameters(def: CommandDefinition, values: Record<string, unknown>, cwd: string): void {
  const root = realOrSelf(cwd);
  for (const param of def.parameters) {
    if (param.type !== "path" || values[param.name] === undefined) continue;
    const value = String(values[param.name]);
    const abs = path.resolve(cwd, value);
    let real: string | undefined;
    try {
      real = fs.realpathSync(abs);
    } catch {
      real = undefined;
    }
    if (real === undefined) {
      if (param.validation.must_exist) throw new ArgumentError(`${def.qualifiedName}: '${param.name}': '${value}' does not exist in ${cwd}`, param.name, usageLine(def));
      real = path.join(realOrSelf(path.dirname(abs)), path.basename(abs));
    }
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw new ArgumentError(`${def.qualifiedName}: '${param.name}': '${value}' leads outside the working directory ${cwd} (to ${real})`, param.name, usageLine(def));
    }
  }
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
