/**
 * A small Swagger 2.0 schema validator for the Firecracker contract tests. It reads the spec file itself (never a copy),
 * resolves `#/definitions/...` references and checks types, required, properties, additionalProperties, enum,
 * minimum/maximum, integer formats, arrays/items and readOnly.
 *
 * Unknown properties: Swagger's default allows them, but Firecracker deserialises every request body with serde's
 * `deny_unknown_fields` and answers 400 to an unknown field. So request bodies are validated strictly by default:
 * a property the schema does not declare is an error unless the schema says `additionalProperties: true`.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
export const FIRECRACKER_SPEC_PATH = path.join(REPO_ROOT, "test/fixtures/firecracker/firecracker-v1.16.1.yaml");

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  items?: Schema;
  readOnly?: boolean;
}

export interface Parameter {
  name: string;
  in: "body" | "path" | "query" | "header" | "formData";
  required?: boolean;
  type?: string;
  schema?: Schema;
}

export interface Operation {
  operationId?: string;
  parameters?: Parameter[];
}

export interface SwaggerSpec {
  swagger: string;
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  definitions: Record<string, Schema>;
}

export function loadFirecrackerSpec(specPath = FIRECRACKER_SPEC_PATH): SwaggerSpec {
  const spec = parse(fs.readFileSync(specPath, "utf8")) as SwaggerSpec;
  if (spec.swagger !== "2.0") throw new Error(`${specPath} is not a Swagger 2.0 document`);
  return spec;
}

/** The spec's path template that a concrete request path matches, e.g. /drives/rootfs -> /drives/{drive_id}. */
export function matchPathTemplate(spec: SwaggerSpec, concretePath: string): { template: string; params: Record<string, string> } | undefined {
  const pathOnly = concretePath.split("?")[0] ?? concretePath;
  for (const template of Object.keys(spec.paths)) {
    const names: string[] = [];
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_m, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    const match = new RegExp(`^${pattern}$`).exec(pathOnly);
    if (match) {
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = decodeURIComponent(match[i + 1] ?? "");
      });
      return { template, params };
    }
  }
  return undefined;
}

export function findOperation(spec: SwaggerSpec, method: string, template: string): Operation | undefined {
  return spec.paths[template]?.[method.toLowerCase()];
}

export function bodyParameter(operation: Operation): Parameter | undefined {
  return operation.parameters?.find((p) => p.in === "body");
}

export interface ValidateOptions {
  /** Reject properties the schema does not declare (Firecracker's deny_unknown_fields). Default true. */
  strictProperties?: boolean;
  /** Reject readOnly properties (they are never sent in a request). Default true. */
  request?: boolean;
}

/**
 * Validates `value` against `schema`; returns human-readable errors ("$.vcpu_count: expected integer"), empty = valid.
 */
export function validateSchema(spec: SwaggerSpec, schema: Schema, value: unknown, options: ValidateOptions = {}): string[] {
  const errors: string[] = [];
  const strict = options.strictProperties ?? true;
  const request = options.request ?? true;

  const visit = (s: Schema, v: unknown, at: string, depth: number): void => {
    if (depth > 64) throw new Error(`schema recursion too deep at ${at}`);
    if (s.$ref) {
      // Swagger 2.0: a $ref replaces its sibling keywords (they are descriptions here).
      visit(resolveRef(spec, s.$ref), v, at, depth + 1);
      return;
    }
    if (s.type && !hasType(v, s.type)) {
      errors.push(`${at}: expected ${s.type}, got ${describe(v)}`);
      return;
    }
    if (s.enum && !s.enum.some((allowed) => allowed === v)) {
      errors.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.enum)}`);
    }
    if (typeof v === "number") {
      if (s.minimum !== undefined && v < s.minimum) errors.push(`${at}: ${v} is below the minimum ${s.minimum}`);
      if (s.maximum !== undefined && v > s.maximum) errors.push(`${at}: ${v} is above the maximum ${s.maximum}`);
      if (s.format === "int32" && (v < -(2 ** 31) || v > 2 ** 31 - 1)) errors.push(`${at}: ${v} is outside int32`);
      if (s.format === "int64" && !Number.isSafeInteger(v)) errors.push(`${at}: ${v} is not an exactly representable int64`);
    }
    if (Array.isArray(v) && s.items) {
      const items = s.items;
      v.forEach((item, i) => {
        visit(items, item, `${at}[${i}]`, depth + 1);
      });
    }
    if (isPlainObject(v) && (s.type === "object" || s.properties || s.required)) {
      for (const name of s.required ?? []) {
        if (v[name] === undefined) errors.push(`${at}: missing required property "${name}"`);
      }
      for (const [name, propValue] of Object.entries(v)) {
        const propSchema = s.properties?.[name];
        if (propSchema) {
          if (request && isReadOnly(spec, propSchema)) errors.push(`${at}.${name}: is readOnly and must not be sent`);
          visit(propSchema, propValue, `${at}.${name}`, depth + 1);
        } else if (typeof s.additionalProperties === "object") {
          visit(s.additionalProperties, propValue, `${at}.${name}`, depth + 1);
        } else if (s.additionalProperties === false || (strict && s.additionalProperties !== true)) {
          errors.push(`${at}: unknown property "${name}" (allowed: ${Object.keys(s.properties ?? {}).join(", ") || "none"})`);
        }
      }
    }
  };

  visit(schema, value, "$", 0);
  return errors;
}

/** Follows `#/definitions/<Name>`; an unresolvable reference is a broken spec, so it throws. */
export function resolveRef(spec: SwaggerSpec, ref: string): Schema {
  const match = /^#\/definitions\/(.+)$/.exec(ref);
  const target = match ? spec.definitions[match[1]!] : undefined;
  if (!target) throw new Error(`unresolvable $ref ${ref}`);
  return target;
}

function isReadOnly(spec: SwaggerSpec, s: Schema): boolean {
  return s.readOnly === true || (s.$ref !== undefined && resolveRef(spec, s.$ref).readOnly === true);
}

function hasType(v: unknown, type: string): boolean {
  switch (type) {
    case "object":
      return isPlainObject(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "boolean":
      return typeof v === "boolean";
    default:
      throw new Error(`unsupported schema type ${type}`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * Validates one recorded request against the spec: the path+method exists, path parameters are present, a required
 * body is present and valid. Returns errors; empty = the request conforms.
 */
export function validateRequest(spec: SwaggerSpec, method: string, url: string, body: unknown): string[] {
  const matched = matchPathTemplate(spec, url);
  if (!matched) return [`${method} ${url}: no such path in the spec`];
  const operation = findOperation(spec, method, matched.template);
  if (!operation) return [`${method} ${matched.template}: the spec has no ${method} on this path`];
  const errors: string[] = [];
  for (const p of operation.parameters ?? []) {
    if (p.in === "path" && (matched.params[p.name] ?? "") === "") errors.push(`${method} ${url}: empty path parameter ${p.name}`);
  }
  const bodyParam = bodyParameter(operation);
  if (!bodyParam) {
    if (body !== undefined) errors.push(`${method} ${matched.template}: the spec takes no body, one was sent`);
    return errors;
  }
  if (body === undefined) {
    if (bodyParam.required) errors.push(`${method} ${matched.template}: required body missing`);
    return errors;
  }
  return [...errors, ...validateSchema(spec, bodyParam.schema ?? {}, body).map((e) => `${method} ${matched.template} ${e}`)];
}
