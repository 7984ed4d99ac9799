import { z } from "zod";
import { EXECUTION_MODES, RISK_LEVELS } from "../policy/types.js";
import path from "node:path";
import { lazy } from "../lazy.js";
import { PARAMETER_TYPES } from "./types.js";

/** Enum values are case-insensitive: the seed files write `High` and `Firecracker`. */
function caseInsensitiveEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess((v) => (typeof v === "string" ? v.trim().toLowerCase() : v), z.enum(values));
}

/** A pattern an artifact list may hold: relative, no `..`, no NUL. */
function artifactPatternProblem(pattern: string): string | undefined {
  if (pattern.includes("\0")) return "contains a NUL byte";
  if (path.isAbsolute(pattern)) return "must be relative to the working directory";
  if (pattern.split("/").includes("..")) return "must not contain '..'";
  return undefined;
}

export const NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_-]*$/;
export const PARAMETER_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/** Keys that may sit directly on a parameter but belong in `validation` (seed quirk). */
export const HOISTED_VALIDATION_KEYS = ["min", "max", "allowed_values", "pattern"] as const;

export const validationSchema = lazy(() =>
  z
    .strictObject({
      min: z.number().optional(),
      max: z.number().optional(),
      allowed_values: z.array(z.unknown()).min(1).optional(),
      must_exist: z.boolean().optional(),
      pattern: z
        .string()
        .refine(
          (p) => {
            try {
              new RegExp(p, "u");
              return true;
            } catch {
              return false;
            }
          },
          { message: "is not a valid regular expression" },
        )
        .optional(),
    })
    .refine((v) => v.min === undefined || v.max === undefined || v.min <= v.max, {
      message: "min is greater than max: no value could pass",
      path: ["min"],
    }),
);

export const parameterSchema = lazy(() =>
  z.object({
    name: z.string().regex(PARAMETER_NAME_PATTERN, "must match ^[a-zA-Z][a-zA-Z0-9_]*$"),
    type: caseInsensitiveEnum(PARAMETER_TYPES).default("string"),
    required: z.boolean().default(false),
    description: z.string().optional(),
    default_value: z.unknown().optional(),
    secret: z.boolean().default(false),
    validation: validationSchema().default({}),
  }),
);

export const resourceLimitsSchema = lazy(() =>
  z.object({
    max_memory_mb: z.number().int().positive().optional(),
    max_cpu_time: z.number().positive().optional(),
    max_disk_mb: z.number().int().positive().optional(),
    network_access: z.boolean().default(false),
  }),
);

/** A command definition's frontmatter (built on first use: lazy.ts). */
export const definitionSchema = lazy(() =>
  z.object({
    name: z.string().regex(NAME_PATTERN, "must match ^[a-zA-Z][a-zA-Z0-9_-]*$"),
    description: z.string().min(1, "must not be empty"),
    usage: z.string().optional(),
    category: z.string().optional(),
    version: z.union([z.string(), z.number()]).transform(String).optional(),
    namespace: z.string().regex(NAME_PATTERN, "must match ^[a-zA-Z][a-zA-Z0-9_-]*$").optional(),
    aliases: z.array(z.string().regex(NAME_PATTERN, "must match ^[a-zA-Z][a-zA-Z0-9_-]*$")).default([]),
    permissions: z.array(z.string()).default([]),
    knowledge_graph_required: z.array(z.string()).default([]),
    timeout: z.number().positive().optional(),
    risk_level: caseInsensitiveEnum(RISK_LEVELS).default("low"),
    execution_mode: caseInsensitiveEnum(EXECUTION_MODES).default("local"),
    parameters: z.array(parameterSchema()).default([]),
    resource_limits: resourceLimitsSchema().optional(),
    command: z.string().min(1, "must not be empty").optional(),
    /** What happens to a microVM run's changes to the workspace (overrides `[vm] apply_changes`; a role's setting wins). */
    apply_changes: z.enum(["ask", "auto", "never"]).optional(),
    /** A microVM run's outputs (relative globs: `*`, `**`, `?`): applied from its changeset without asking. */
    artifacts: z
      .array(
        z.string().superRefine((p, ctx) => {
          const problem = artifactPatternProblem(p);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        }),
      )
      .default([]),
  }),
);

/** Allowed keys per level, for unknown-key warnings. */
export const allowedKeys = lazy(() => ({
  definition: Object.keys(definitionSchema().shape),
  parameter: [...Object.keys(parameterSchema().shape), ...HOISTED_VALIDATION_KEYS],
  resource_limits: Object.keys(resourceLimitsSchema().shape),
}));
