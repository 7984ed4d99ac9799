/**
 * Request and response schemas of the HTTP API. The same zod schemas validate request bodies and generate
 * the OpenAPI 3.1 document (`GET /openapi.json`).
 */
import { z } from "@hono/zod-openapi";

const absolutePath = z
  .string()
  .min(1)
  .refine((p) => p.startsWith("/"), { message: "must be an absolute path" })
  .openapi({ description: "The caller's working directory (absolute): configuration, project commands and trust are resolved from it.", example: "/home/ada/project" });

export const InvocationRequestSchema = z
  .object({
    command: z.string().min(1).optional().openapi({ description: "A command name or alias (or give `line`).", example: "hello-world" }),
    args: z.array(z.string()).optional().openapi({ description: "The command's arguments, as on the command line.", example: ["--name", "Ada"] }),
    line: z.string().min(1).optional().openapi({ description: "An ad-hoc shell line, decided like a hybrid command (or give `command`).", example: "git status" }),
    role: z.string().min(1).optional().openapi({ description: "Role to decide for (default: the configuration's default_role)." }),
    vm: z.boolean().optional().openapi({ description: "With `line`: run it in a microVM even where the policy would allow the host (`firebreak sh --vm`)." }),
    cwd: absolutePath,
    yes: z.boolean().optional().openapi({ description: "Confirm `ask` rules; without it such a decision answers 409 with the question." }),
    env: z.record(z.string(), z.string()).optional().openapi({ description: "The caller's environment; the command sees only `[exec] env_allowlist` of it (default: the daemon's)." }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.command === undefined) === (body.line === undefined)) {
      ctx.addIssue({ code: "custom", path: ["command"], message: "give exactly one of 'command' or 'line'" });
    }
    if (body.line !== undefined && body.args !== undefined) ctx.addIssue({ code: "custom", path: ["args"], message: "'args' belongs to 'command', not to 'line'" });
    if (body.vm !== undefined && body.line === undefined) ctx.addIssue({ code: "custom", path: ["vm"], message: "'vm' belongs to 'line' (a command's definition says where it runs)" });
  })
  .openapi("InvocationRequest");

export const PolicyCheckRequestSchema = z
  .object({
    line: z.string().min(1).optional().openapi({ example: "rm -rf ~" }),
    lines: z.array(z.string().min(1)).min(1).max(10_000).optional().openapi({ description: "Several lines, decided in order." }),
    role: z.string().min(1).optional(),
    cwd: absolutePath,
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.line === undefined) === (body.lines === undefined)) ctx.addIssue({ code: "custom", path: ["line"], message: "give exactly one of 'line' or 'lines'" });
  })
  .openapi("PolicyCheckRequest");

const SegmentSchema = z.object({
  argv: z.array(z.string()),
  risk: z.string(),
  opaque: z.boolean(),
  reasons: z.array(z.string()),
});

export const DecisionSchema = z
  .object({
    risk: z.enum(["low", "medium", "high", "critical"]),
    placement: z.enum(["local", "vm", "denied"]),
    reasons: z.array(z.string()).openapi({ description: "Most important first." }),
    segments: z.array(SegmentSchema.extend({ text: z.string().optional() })),
    rules: z.array(z.object({ action: z.string(), rule: z.string(), segment: z.number().int().optional() })),
    concepts: z.object({ matched: z.array(z.object({ required: z.string(), concept: z.string() })), missing: z.array(z.string()) }),
    permissions: z.object({ required: z.array(z.string()), granted: z.array(z.string()), missing: z.array(z.string()) }),
    rateLimit: z.object({ key: z.string(), allowed: z.boolean(), retryAfterMs: z.number().optional(), remaining: z.number().optional() }).optional(),
    needsConfirmation: z.boolean().optional(),
    hooks: z.array(z.unknown()),
  })
  .openapi("Decision");

export const PlanViewSchema = z
  .object({
    id: z.string(),
    command: z.string().nullable(),
    role: z.string(),
    user: z.string(),
    parameters: z.record(z.string(), z.unknown()).openapi({ description: "Bound values; secret ones are `[redacted]`." }),
    rendered: z.string().nullable(),
    decision: DecisionSchema,
  })
  .openapi("Plan");

export const RunResultSchema = z
  .object({
    id: z.string(),
    placement: z.enum(["local", "vm", "denied"]),
    exitCode: z.number().int(),
    signal: z.string().nullable(),
    timedOut: z.boolean(),
    cancelled: z.boolean(),
    killReason: z.string().nullable().openapi({ description: "Why something killed the command (timeout, a limit, cancellation); null when it ended by itself." }),
    durationMs: z.number(),
    stdout: z.string(),
    stderr: z.string(),
    stdoutBytes: z.number().int(),
    stderrBytes: z.number().int(),
    stdoutTruncated: z.boolean(),
    stderrTruncated: z.boolean(),
    vm: z.record(z.string(), z.unknown()).nullable().openapi({ description: "Backend details for a microVM run; null on the host." }),
    annotations: z.record(z.string(), z.unknown()),
    changes: z.lazy(() => RunChangesSchema).nullable().openapi({ description: "What a microVM run changed in its workspace copy (a changeset); null when nothing changed or on the host." }),
  })
  .openapi("RunResult");

const PathReasonSchema = z.object({ path: z.string(), reason: z.string() });

export const RunChangesSchema = z
  .object({
    id: z.string(),
    mode: z.enum(["ask", "auto", "never"]),
    status: z.enum(["pending", "applied", "partial", "discarded"]),
    added: z.number().int(),
    modified: z.number().int(),
    deleted: z.number().int(),
    protected: z.number().int(),
    pending: z.number().int().openapi({ description: "Changes still waiting to be applied" }),
    applied: z.array(z.string()),
    conflicts: z.array(PathReasonSchema),
    refused: z.array(PathReasonSchema),
    skipped: z.array(PathReasonSchema),
    backupId: z.string().nullable(),
  })
  .openapi("RunChanges", { description: "What a microVM run changed in its workspace copy, stored as a changeset" });

export const ChangesetSummarySchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    command: z.string(),
    workspace: z.string(),
    status: z.enum(["pending", "applied", "partial", "discarded"]),
    added: z.number().int(),
    modified: z.number().int(),
    deleted: z.number().int(),
    protected: z.number().int(),
  })
  .openapi("ChangesetSummary");

export const ApplyReportSchema = z
  .object({
    at: z.string(),
    applied: z.array(z.string()),
    conflicts: z.array(PathReasonSchema),
    refused: z.array(PathReasonSchema),
    backupId: z.string().nullable(),
  })
  .openapi("ApplyReport");

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "unknown_command" }),
      message: z.string(),
      exit_code: z.number().int().openapi({ description: "The exit status the CLI uses for this error." }),
      reasons: z.array(z.string()).optional(),
      usage: z.string().optional(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi("Error");

export const RefusedSchema = z
  .object({
    plan: PlanViewSchema,
    refused: z.object({
      message: z.string(),
      reasons: z.array(z.string()).openapi({ description: "Most important first." }),
      allowed_roles: z.array(z.string()).optional().openapi({ description: "Other configured roles under which the policy would allow it." }),
    }),
    question: z.string().optional().openapi({ description: "With 409: what needs confirming; send again with `yes: true`." }),
  })
  .openapi("Refused");

export const PolicyAnswerSchema = z
  .object({
    line: z.string(),
    risk: z.string(),
    placement: z.enum(["local", "vm", "denied"]),
    reasons: z.array(z.string()),
    segments: z.array(SegmentSchema),
    rules: z.array(z.object({ action: z.string(), rule: z.string(), segment: z.number().int().optional() })),
  })
  .openapi("PolicyAnswer");

export const CommandSummarySchema = z
  .object({
    name: z.string(),
    description: z.string(),
    aliases: z.array(z.string()),
    category: z.string().nullable(),
    risk_level: z.string(),
    execution_mode: z.string(),
    runnable: z.boolean(),
    layer: z.string(),
    file: z.string(),
  })
  .openapi("CommandSummary");

export const CwdQuerySchema = z.object({
  cwd: absolutePath.optional(),
});

export const AuditQuerySchema = CwdQuerySchema.extend({
  n: z.coerce.number().int().min(1).max(100_000).default(10).openapi({ description: "How many records, newest last." }),
});

export const AuditRecordSchema = z.record(z.string(), z.unknown()).openapi("AuditRecord", { description: "One hash-chained audit record." });
