import { registerSecret } from "../audit/redact.js";
import { ArgumentError } from "../errors.js";
import type { CommandDefinition, ParameterDefinition } from "./types.js";
import { coerceValue, validateValue } from "./values.js";

export interface BoundArguments {
  /** Every parameter with a value after defaults, coerced to its declared type. */
  values: Record<string, unknown>;
  /** Names the caller gave explicitly (not from defaults). */
  given: string[];
  /** `--option[=value]` tokens that are not parameters but are in `passthrough` (firebreak's own options). */
  passthrough: Record<string, string | true>;
}

export interface BindOptions {
  /** Option names (without `--`) that belong to the caller when the command does not declare them. */
  passthrough?: readonly string[];
}

/** `dry-run`, `dry_run` and `DRY_RUN` name the same parameter. */
const normalise = (name: string) => name.replaceAll("-", "_").toLowerCase();

/**
 * Binds CLI-style tokens to a definition's parameters: positional in declared order (booleans
 * excluded), `--name value`, `--name=value`, `name=value`, `--flag` / `--no-flag`, `--` ends options.
 * Values are coerced to their declared types, defaults applied, then validated.
 *
 * @example
 * bindArguments(deploy, ["staging", "--dry-run"]).values // { environment: "staging", dry_run: true, force: false }
 */
export function bindArguments(def: CommandDefinition, tokens: readonly string[], options: BindOptions = {}): BoundArguments {
  const byName = new Map(def.parameters.map((p) => [normalise(p.name), p]));
  const raw = new Map<string, unknown>();
  const positional: string[] = [];
  const passthrough: Record<string, string | true> = {};
  const fail = (message: string, param?: ParameterDefinition): never => {
    throw new ArgumentError(`${def.qualifiedName}: ${message}`, param?.name, usageLine(def));
  };
  const set = (param: ParameterDefinition, value: unknown) => {
    if (param.secret) for (const v of [value].flat()) registerSecret(String(v)); // before any message can echo it
    if (param.type === "array") raw.set(param.name, [...((raw.get(param.name) as unknown[]) ?? []), value]);
    else if (raw.has(param.name)) fail(`'${param.name}' is given more than once`, param);
    else raw.set(param.name, value);
  };

  let onlyPositional = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (onlyPositional) {
      positional.push(token);
      continue;
    }
    if (token === "--") {
      onlyPositional = true;
      continue;
    }
    if (token.startsWith("--") && token.length > 2) {
      const eq = token.indexOf("=");
      const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      const inline = eq === -1 ? undefined : token.slice(eq + 1);
      let param = byName.get(normalise(name));
      if (!param && normalise(name).startsWith("no_") && inline === undefined) {
        const negated = byName.get(normalise(name).slice(3));
        if (negated?.type === "boolean") {
          set(negated, false);
          continue;
        }
      }
      if (!param) {
        if (options.passthrough?.includes(name)) {
          passthrough[name] = inline ?? true;
          continue;
        }
        fail(`unknown option --${name}; parameters: ${def.parameters.map((p) => `--${p.name.replaceAll("_", "-")}`).join(", ") || "none"}`);
      }
      param = param!;
      if (inline !== undefined) set(param, inline);
      else if (param.type === "boolean") set(param, true);
      else {
        const next = tokens[i + 1];
        if (next === undefined) fail(`--${name} needs a value`, param);
        set(param, next);
        i++;
      }
      continue;
    }
    const assign = /^([A-Za-z][A-Za-z0-9_-]*)=(.*)$/s.exec(token);
    const assigned = assign ? byName.get(normalise(assign[1]!)) : undefined;
    if (assign && assigned) {
      set(assigned, assign[2]);
      continue;
    }
    positional.push(token);
  }

  // Positionals fill the declared parameters not given by name, in order; an array takes the rest.
  const slots = def.parameters.filter((p) => p.type !== "boolean" && !raw.has(p.name));
  for (const param of slots) {
    if (positional.length === 0) break;
    if (param.type === "array") set(param, positional.splice(0));
    else set(param, positional.shift());
  }
  if (positional.length) fail(`unexpected argument${positional.length > 1 ? "s" : ""}: ${positional.map((p) => `'${p}'`).join(" ")}`);

  const values: Record<string, unknown> = {};
  const given: string[] = [];
  for (const param of def.parameters) {
    if (raw.has(param.name)) {
      let value = raw.get(param.name);
      if (param.type === "array") value = (value as unknown[]).flat();
      const coerced = coerceValue(param, value);
      if (!coerced.ok) fail(`'${param.name}': ${coerced.error}`, param);
      const ok = coerced as { ok: true; value: unknown };
      const errors = validateValue(param, ok.value);
      if (errors.length) fail(`'${param.name}': ${errors.join("; ")}`, param);
      values[param.name] = ok.value;
      given.push(param.name);
    } else if (param.default_value !== undefined) {
      if (param.secret) for (const v of [param.default_value].flat()) registerSecret(String(v));
      values[param.name] = param.default_value;
    } else if (param.required) {
      const allowed = param.validation.allowed_values ? ` (one of: ${param.validation.allowed_values.map(String).join(", ")})` : "";
      fail(`missing required parameter '${param.name}'${allowed}`, param);
    }
  }
  return { values, given, passthrough };
}

/** The definition's usage line, or one derived from its parameters. */
export function usageLine(def: CommandDefinition): string {
  if (def.usage) return def.usage;
  const parts = def.parameters.map((p) => {
    if (p.type === "boolean") return `[--${p.name.replaceAll("_", "-")}]`;
    return p.required ? `<${p.name}>` : `[${p.name}]`;
  });
  return [def.qualifiedName, ...parts].join(" ");
}
