import fs from "node:fs";
import path from "node:path";
import { knownPresetNames } from "../hooks/presets.js";

/**
 * Checks that what the configuration names exists, so a wrong name is a load error (exit 78) and not a
 * refusal or a crash when some command first needs it: `default_role`, `[pool] types`, each role's `vm_type`, hook preset
 * and `knowledge_graph`, and each external hook's `program`. Works on the merged raw data, so it can run
 * next to the schema's own checks and all problems are reported together.
 */

/** One problem at a key path (`["roles", "ops", "vm_type"]`); the loader adds file and line. */
export interface ReferenceIssue {
  keyPath: (string | number)[];
  message: string;
}

export interface ReferenceContext {
  /** Where a role's relative `knowledge_graph` resolves: the directory of the file that set it. */
  dirOfKey(keyPath: readonly (string | number)[]): string;
  /** Where relative hook programs resolve (the engine uses the highest-precedence config file's directory). */
  hookBaseDir: string;
  /** PATH for hook programs given by bare name. */
  pathEnv: string;
}

type Raw = Record<string, unknown>;

function record(value: unknown): Raw {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Raw) : {};
}

function names(keys: Iterable<string>): string {
  return [...keys].sort().join(", ") || "none";
}

export function checkReferences(merged: Raw, ctx: ReferenceContext): ReferenceIssue[] {
  const issues: ReferenceIssue[] = [];
  const roles = record(merged.roles);
  const vmTypes = record(merged.vm_types);
  const hooks = record(merged.hooks);
  const presets = knownPresetNames(record(hooks.presets));
  const defaultRole = merged.default_role;
  if (typeof defaultRole === "string" && !(defaultRole in roles)) {
    issues.push({ keyPath: ["default_role"], message: `unknown role '${defaultRole}' (defined roles: ${names(Object.keys(roles))})` });
  }
  const poolTypes = record(merged.pool).types;
  if (Array.isArray(poolTypes)) {
    poolTypes.forEach((t, i) => {
      // "default" is the [vm] default shape; every other pooled type is a [vm_types.<name>] section.
      if (typeof t === "string" && t !== "default" && !(t in vmTypes)) {
        issues.push({ keyPath: ["pool", "types", i], message: `unknown VM type '${t}' ("default" or one of [vm_types]: ${names(Object.keys(vmTypes))})` });
      }
    });
  }
  for (const [name, value] of Object.entries(roles)) {
    const role = record(value);
    if (typeof role.vm_type === "string" && !(role.vm_type in vmTypes)) {
      issues.push({ keyPath: ["roles", name, "vm_type"], message: `unknown vm_type '${role.vm_type}' (defined in [vm_types]: ${names(Object.keys(vmTypes))})` });
    }
    if (typeof role.hooks === "string" && !presets.includes(role.hooks)) {
      issues.push({ keyPath: ["roles", name, "hooks"], message: `unknown hook preset '${role.hooks}' (known: ${names(presets)})` });
    }
    if (typeof role.knowledge_graph === "string") {
      const keyPath = ["roles", name, "knowledge_graph"];
      const graph = path.resolve(ctx.dirOfKey(keyPath), role.knowledge_graph);
      if (!fs.existsSync(graph)) issues.push({ keyPath, message: `knowledge graph not found: ${graph}` });
    }
  }
  const external = Array.isArray(hooks.external) ? hooks.external : [];
  external.forEach((value, i) => {
    const program = record(value).program;
    if (typeof program !== "string" || program === "" || record(value).enabled === false) return;
    const problem = programProblem(program, ctx);
    if (problem) issues.push({ keyPath: ["hooks", "external", i, "program"], message: problem });
  });
  return issues;
}

/** Why a hook program cannot be run, or undefined when it can (a path is checked, a bare name is looked up in PATH). */
function programProblem(program: string, ctx: ReferenceContext): string | undefined {
  if (program.includes("/")) {
    const file = path.resolve(ctx.hookBaseDir, program);
    if (!fs.existsSync(file)) return `hook program not found: ${file}`;
    return isExecutableFile(file) ? undefined : `hook program is not an executable file: ${file}`;
  }
  const dirs = ctx.pathEnv.split(path.delimiter).filter(Boolean);
  if (dirs.some((dir) => isExecutableFile(path.join(dir, program)))) return undefined;
  return `hook program '${program}' is not an executable in PATH`;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
