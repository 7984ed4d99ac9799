import { z } from "zod";
import type { CommandDefinition, ParameterDefinition } from "../commands/types.js";

type ZodShape = Record<string, z.ZodType>;

/**
 * A definition's parameters as the tool's input schema (the SDK publishes it as JSON Schema): types, required,
 * `allowed_values` as an enum, `min`/`max` as bounds (string lengths for strings, as `validateValue` reads them),
 * `pattern`. The engine still binds and validates every value itself: this is what the client is told, and a
 * first check.
 */
export function inputShapeFor(def: CommandDefinition): ZodShape {
  return Object.fromEntries(def.parameters.map((p) => [p.name, parameterSchema(p)]));
}

function parameterSchema(p: ParameterDefinition): z.ZodType {
  let schema = p.type === "array" ? z.array(scalarSchema(p)) : p.type === "object" ? z.record(z.string(), z.unknown()) : scalarSchema(p);
  const notes = [p.description, p.type === "path" ? "a path inside the working directory, relative to it" : undefined, p.validation.must_exist ? "must exist" : undefined, p.secret ? "secret: redacted in the audit log" : undefined];
  const description = notes.filter(Boolean).join("; ");
  if (description) schema = schema.describe(description);
  if (!p.required || p.default_value !== undefined) schema = schema.optional();
  if (p.default_value !== undefined) schema = schema.meta({ default: p.default_value as never });
  return schema;
}

/** One value's schema (an array parameter's items get the same checks). */
function scalarSchema(p: ParameterDefinition): z.ZodType {
  const v = p.validation;
  if (p.type === "boolean") return z.boolean();
  if (p.type === "number") {
    if (v.allowed_values?.length) return literalUnion(v.allowed_values.map(Number));
    let n = z.number();
    if (v.min !== undefined) n = n.min(v.min);
    if (v.max !== undefined) n = n.max(v.max);
    return n;
  }
  if (v.allowed_values?.length) return z.enum(v.allowed_values.map(String) as [string, ...string[]]);
  let s = z.string();
  if (v.pattern !== undefined) s = s.regex(new RegExp(v.pattern, "u"));
  if (p.type === "string" && v.min !== undefined) s = s.min(v.min);
  if (p.type === "string" && v.max !== undefined) s = s.max(v.max);
  return s;
}

function literalUnion(values: number[]): z.ZodType {
  const [first, ...rest] = values.map((n) => z.literal(n));
  return rest.length ? z.union([first!, ...rest]) : first!;
}

/**
 * A tool call's arguments as the command-line tokens `bindArguments` reads, always in the `--name=value` form:
 * a value that starts with `-` or contains spaces stays one value, never an option.
 *
 * @example
 * argumentTokens(helloWorld, { name: "Ada", greeting: "hi" }) // ["--name=Ada", "--greeting=hi"]
 */
export function argumentTokens(def: CommandDefinition, input: Record<string, unknown>): string[] {
  const tokens: string[] = [];
  for (const p of def.parameters) {
    const value = input[p.name];
    if (value === undefined) continue;
    if (p.type === "boolean") tokens.push(value ? `--${p.name}` : `--no-${p.name}`);
    else if (p.type === "array") for (const item of [value].flat()) tokens.push(`--${p.name}=${String(item)}`);
    else if (p.type === "object") tokens.push(`--${p.name}=${JSON.stringify(value)}`);
    else tokens.push(`--${p.name}=${String(value)}`);
  }
  return tokens;
}
