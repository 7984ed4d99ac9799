import { createHash } from "node:crypto";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { DefinitionError, type TemplateError } from "../errors.js";
import { splitFrontmatter } from "./frontmatter.js";
import { allowedKeys, definitionSchema, HOISTED_VALIDATION_KEYS } from "./schema.js";
import { compileTemplate } from "./template.js";
import type { CommandDefinition, CommandLayer } from "./types.js";
import { coerceValue, validateValue } from "./values.js";
import { indexLines, lineAt } from "./yaml-lines.js";

/**
 * The largest definition file read. Real definitions are a few KB; a huge one is either a mistake or an attempt to
 * make every command in the project slow (a 2 MB file once held `run` for 11 minutes).
 */
export const MAX_DEFINITION_BYTES = 256 * 1024;
/** Unknown-key warnings reported per file; the rest are counted in one last warning. */
const MAX_UNKNOWN_KEY_WARNINGS = 20;

export interface DefinitionWarning {
  file: string;
  line?: number;
  message: string;
}

export type ParseOutcome =
  | { kind: "definition"; definition: CommandDefinition; warnings: DefinitionWarning[] }
  | { kind: "skipped"; notice: string };

export interface ParseOptions {
  file: string;
  layer?: CommandLayer;
  /** Namespace implied by the folder (`db/migrate.md` -> `db`). */
  folderNamespace?: string;
}

/**
 * Parses one command definition file. Throws DefinitionError (file, line, field) for a broken
 * file; returns `skipped` for markdown without frontmatter (e.g. a README next to commands).
 *
 * @example
 * const out = parseDefinition(fs.readFileSync(f, "utf8"), { file: f });
 * if (out.kind === "definition") out.definition.name;
 */
export function parseDefinition(text: string, options: ParseOptions): ParseOutcome {
  const { file } = options;
  if (text.length > MAX_DEFINITION_BYTES) throw oversizeError(file, text.length);
  const fm = splitFrontmatter(text);
  if (fm === undefined) return { kind: "skipped", notice: `${file}: no YAML frontmatter, not a command definition; skipped` };
  if ("unterminated" in fm) throw new DefinitionError("frontmatter starts with '---' but is never closed", { file, line: 1 });

  const lineCounter = new LineCounter();
  // Duplicate keys are found by indexLines in one pass; YAML's own check compares every pair of keys.
  const doc = parseDocument(fm.yaml, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line + fm.firstLine - 1;
  const firstError = doc.errors[0];
  if (firstError) {
    throw new DefinitionError(`invalid YAML: ${firstError.message.split("\n")[0]}`, { file, line: lineOf(firstError.pos[0]) });
  }
  const { index: lines, duplicate } = indexLines(doc, lineOf);
  if (duplicate) throw new DefinitionError(`invalid YAML: map keys must be unique ('${duplicate.key}' is given twice)`, { file, line: duplicate.line });
  const nodeLine = (path: readonly PropertyKey[]): number | undefined => lineAt(lines, path);
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new DefinitionError("frontmatter must be a YAML mapping", { file, line: fm.firstLine });
  }

  const warnings: DefinitionWarning[] = [];
  const data = normalise(raw as Record<string, unknown>, file, nodeLine, warnings);
  const result = definitionSchema().safeParse(data);
  if (!result.success) throw issueError(result.error.issues[0]!, file, nodeLine, data);
  const def = result.data;

  const definition: CommandDefinition = {
    ...def,
    qualifiedName: qualify(def.namespace ?? options.folderNamespace, def.name),
    namespace: def.namespace ?? options.folderNamespace,
    body: fm.body,
    source: { file, layer: options.layer ?? "project", sha256: createHash("sha256").update(text).digest("hex") },
  };
  checkSemantics(definition, file, nodeLine);
  return { kind: "definition", definition, warnings };
}

export function qualify(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}:${name}` : name;
}

type LineOf = (path: readonly PropertyKey[]) => number | undefined;

/** Warns about unknown keys and hoists parameter-level validation keys into `validation`. */
function normalise(raw: Record<string, unknown>, file: string, lineOf: LineOf, warnings: DefinitionWarning[]): Record<string, unknown> {
  let unknownKeys = 0;
  const warnUnknown = (obj: Record<string, unknown>, allowed: readonly string[], path: PropertyKey[], where: string) => {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key) && ++unknownKeys <= MAX_UNKNOWN_KEY_WARNINGS) {
        warnings.push({
          file,
          line: lineOf([...path, key]),
          message: `unknown key '${key}'${where}; allowed: ${allowed.join(", ")}`,
        });
      }
    }
  };
  const countUnknown = () => {
    if (unknownKeys > MAX_UNKNOWN_KEY_WARNINGS) warnings.push({ file, message: `${unknownKeys - MAX_UNKNOWN_KEY_WARNINGS} more unknown keys not listed` });
  };
  warnUnknown(raw, allowedKeys().definition, [], "");
  const out: Record<string, unknown> = { ...raw };
  if (out.resource_limits && typeof out.resource_limits === "object" && !Array.isArray(out.resource_limits)) {
    warnUnknown(out.resource_limits as Record<string, unknown>, allowedKeys().resource_limits, ["resource_limits"], " in resource_limits");
  }
  if (Array.isArray(raw.parameters)) {
    out.parameters = raw.parameters.map((p: unknown, i: number) => {
      if (p === null || typeof p !== "object" || Array.isArray(p)) return p;
      const param = { ...(p as Record<string, unknown>) };
      warnUnknown(param, allowedKeys().parameter, ["parameters", i], ` in parameter ${String(param.name ?? i)}`);
      const validation: Record<string, unknown> =
        param.validation && typeof param.validation === "object" ? { ...(param.validation as Record<string, unknown>) } : {};
      for (const key of HOISTED_VALIDATION_KEYS) {
        if (!(key in param)) continue;
        if (key in validation && JSON.stringify(validation[key]) !== JSON.stringify(param[key])) {
          throw new DefinitionError(`'${key}' is given both on the parameter and under validation, with different values`, {
            file,
            line: lineOf(["parameters", i, key]),
            field: `parameters[${i}].${key}`,
          });
        }
        validation[key] = param[key];
        delete param[key];
      }
      if ("validation" in param || Object.keys(validation).length) param.validation = validation;
      return param;
    });
  }
  countUnknown();
  return out;
}

function oversizeError(file: string, size: number): DefinitionError {
  return new DefinitionError(`definition is ${Math.ceil(size / 1024)} KiB, larger than the ${MAX_DEFINITION_BYTES / 1024} KiB a command definition may be; not read`, { file });
}

/**
 * Decodes a definition file's bytes as UTF-8; invalid bytes are a DefinitionError naming the line, not
 * silently replaced (a replaced byte could change what a template or a pattern means).
 */
export function decodeDefinition(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const line = 1 + countNewlines(bytes, firstInvalidUtf8(bytes));
    throw new DefinitionError("is not valid UTF-8", { file, line });
  }
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/** Offset of the first byte that does not start a valid UTF-8 sequence (decoding line by line would miss none). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    try {
      decoder.decode(bytes.subarray(start, i));
    } catch {
      return start;
    }
    start = i + 1;
  }
  return 0;
}

/** Refuses an oversized file before reading it (a multi-GB file must not be read at all). */
export function checkDefinitionSize(file: string, sizeBytes: number): void {
  if (sizeBytes > MAX_DEFINITION_BYTES) throw oversizeError(file, sizeBytes);
}

/** What a YAML value is, for "expected X, got Y". */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let cur = data;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

function issueError(issue: z.core.$ZodIssue, file: string, lineOf: LineOf, data: unknown): DefinitionError {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const field = path.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${p}` : p)).join("");
  let message = issue.message;
  if (issue.code === "invalid_value" && "values" in issue) message = `must be one of: ${issue.values.map(String).join(", ")}`;
  if (issue.code === "invalid_type") {
    const value = valueAt(data, path);
    message = value === undefined ? "is required" : `expected ${issue.expected}, got ${kindOf(value)}`;
  }
  // `validation` keys may have been hoisted from the parameter itself: point at whichever exists.
  // lineOf falls back to the nearest ancestor; a key's own line comes after its ancestors', so the later line of
  // the two spellings (`parameters[0].validation.min`, hoisted `parameters[0].min`) is the key itself.
  const lines = [lineOf(path), lineOf(path.filter((p) => p !== "validation"))].filter((l): l is number => l !== undefined);
  const line = lines.length ? Math.max(...lines) : undefined;
  return new DefinitionError(message, { file, line, field: field || undefined });
}

function checkSemantics(def: CommandDefinition, file: string, lineOf: LineOf): void {
  const seen = new Set<string>();
  def.parameters.forEach((p, i) => {
    const at = (key?: string) => ({ file, line: lineOf(key ? ["parameters", i, key] : ["parameters", i]), field: `parameters[${i}]${key ? `.${key}` : ""}` });
    if (seen.has(p.name)) throw new DefinitionError(`parameter '${p.name}' is declared twice`, at("name"));
    seen.add(p.name);
    if (p.required && p.default_value !== undefined) {
      throw new DefinitionError(`parameter '${p.name}' is required and has a default_value; a required parameter has no default`, at("default_value"));
    }
    if (p.default_value !== undefined) {
      const c = coerceValue(p, p.default_value);
      if (!c.ok) throw new DefinitionError(`default_value of '${p.name}': ${c.error}`, at("default_value"));
      const errors = validateValue(p, c.value);
      if (errors.length) throw new DefinitionError(`default_value of '${p.name}': ${errors[0]}`, at("default_value"));
      p.default_value = c.value;
    }
  });
  if (def.command !== undefined) {
    let template: ReturnType<typeof compileTemplate>;
    try {
      template = compileTemplate(def.command);
    } catch (cause) {
      const line = lineOf(["command"]);
      throw new DefinitionError(`command template ${(cause as TemplateError).message}`, { file, line, field: "command" }, { cause });
    }
    // Kept (not enumerable, so JSON views omit it): planning renders it without compiling again.
    Object.defineProperty(def, "template", { value: template, enumerable: false });
    for (const name of template.names) {
      if (!seen.has(name)) {
        throw new DefinitionError(`command template uses {{${name}}}, which is not a declared parameter (declared: ${[...seen].join(", ") || "none"})`, {
          file,
          line: lineOf(["command"]),
          field: "command",
        });
      }
    }
    for (const name of template.unguarded) {
      const p = def.parameters.find((q) => q.name === name)!;
      if (!p.required && p.default_value === undefined) {
        throw new DefinitionError(`{{${name}}} is optional with no default; wrap it in {{#${name}}}…{{/${name}}}`, {
          file,
          line: lineOf(["command"]),
          field: "command",
        });
      }
    }
  }
}
