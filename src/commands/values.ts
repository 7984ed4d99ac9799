import type { ParameterDefinition } from "./types.js";

/**
 * Coerces one raw value (a CLI string, or a YAML/JSON value) to a parameter's declared type.
 * Returns an error message instead of throwing so callers can add file or usage context.
 *
 * @example
 * coerceValue({ type: "boolean", ... }, "false") // { ok: true, value: false }
 */
export function coerceValue(param: ParameterDefinition, raw: unknown): { ok: true; value: unknown } | { ok: false; error: string } {
  switch (param.type) {
    case "string":
      if (typeof raw === "string") return { ok: true, value: raw };
      if (typeof raw === "number" || typeof raw === "boolean") return { ok: true, value: String(raw) };
      return { ok: false, error: `expected a string, got ${describe(raw)}` };
    case "path": {
      if (typeof raw !== "string") return { ok: false, error: `expected a path inside the working directory, got ${describe(raw)}` };
      const problem = workspacePathProblem(raw);
      return problem ? { ok: false, error: `'${raw}' ${problem}` } : { ok: true, value: raw };
    }
    case "number": {
      if (typeof raw === "number" && Number.isFinite(raw)) return { ok: true, value: raw };
      if (typeof raw === "string" && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim())) {
        return { ok: true, value: Number(raw) };
      }
      return { ok: false, error: `expected a number, got ${describe(raw)}` };
    }
    case "boolean": {
      if (typeof raw === "boolean") return { ok: true, value: raw };
      if (typeof raw === "string") {
        const v = raw.trim().toLowerCase();
        if (["true", "yes", "1", "on"].includes(v)) return { ok: true, value: true };
        if (["false", "no", "0", "off"].includes(v)) return { ok: true, value: false };
      }
      return { ok: false, error: `expected true or false, got ${describe(raw)}` };
    }
    case "array": {
      if (Array.isArray(raw)) return { ok: true, value: raw.map(String) };
      if (typeof raw === "string") return { ok: true, value: [raw] };
      return { ok: false, error: `expected a list, got ${describe(raw)}` };
    }
    case "object": {
      if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) return { ok: true, value: raw };
      if (typeof raw === "string") {
        try {
          const parsed: unknown = JSON.parse(raw);
          if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return { ok: true, value: parsed };
        } catch {
          // fall through to the error below
        }
      }
      return { ok: false, error: `expected a JSON object, got ${describe(raw)}` };
    }
  }
}

/** Checks a coerced value against `validation`; returns error messages (empty = valid). */
export function validateValue(param: ParameterDefinition, value: unknown): string[] {
  const errors: string[] = [];
  const v = param.validation;
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (typeof item === "string" && item.includes("\0")) errors.push("contains a NUL byte, which no command argument can carry");
    if (v.allowed_values && !v.allowed_values.some((a) => String(a) === String(item))) {
      errors.push(`'${String(item)}' is not allowed; allowed values: ${v.allowed_values.map(String).join(", ")}`);
    }
    if (v.pattern !== undefined && typeof item === "string" && !new RegExp(v.pattern, "u").test(item)) {
      errors.push(`'${item}' does not match pattern ${v.pattern}`);
    }
    const size = typeof item === "number" ? item : typeof item === "string" && param.type === "string" ? item.length : undefined;
    const unit = typeof item === "number" ? "" : " characters";
    if (size !== undefined && v.min !== undefined && size < v.min) errors.push(`must be at least ${v.min}${unit}`);
    if (size !== undefined && v.max !== undefined && size > v.max) errors.push(`must be at most ${v.max}${unit}`);
  }
  return errors;
}

/**
 * Why a `path` value does not name a place inside the working directory, judged on the text alone (symlinks are
 * checked against the real directory when the plan is made).
 *
 * @example
 * workspacePathProblem("src/../docs") // undefined
 * workspacePathProblem("../secret")   // "leaves the working directory"
 */
export function workspacePathProblem(value: string): string | undefined {
  if (value === "") return "is empty; give a path inside the working directory ('.' for all of it)";
  if (value.includes("\0")) return "contains a NUL byte";
  if (value.startsWith("/")) return "is absolute; give a path inside the working directory (relative to it)";
  if (value.startsWith("-")) return "starts with '-' (it would read as an option); write ./" + value;
  const parts: string[] = [];
  for (const part of value.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return "leaves the working directory";
      parts.pop();
    } else parts.push(part);
  }
  return undefined;
}

function describe(raw: unknown): string {
  if (raw === null) return "null";
  if (Array.isArray(raw)) return "a list";
  if (typeof raw === "string") return `'${raw}'`;
  return typeof raw;
}
