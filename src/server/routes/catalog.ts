import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { usageLine } from "../../commands/args.js";
import { commandSummary, definitionView, registryProblems } from "../../commands/summary.js";
import { resolveCommand } from "../../engine/plan.js";
import { checkLines } from "../../engine/policy-check.js";
import { AuditDisabledError } from "../../errors.js";
import { errorResponse } from "../errors.js";
import { AuditQuerySchema, AuditRecordSchema, CommandSummarySchema, CwdQuerySchema, ErrorSchema, PolicyAnswerSchema, PolicyCheckRequestSchema } from "../schemas.js";
import type { FirebreakService } from "../service.js";
import { ERROR_RESPONSES, json } from "./responses.js";

const errors = ERROR_RESPONSES;

const ProblemsSchema = z.object({
  notices: z.array(z.string()),
  warnings: z.array(z.object({ file: z.string(), line: z.number().optional(), message: z.string() })),
  errors: z.array(z.object({ message: z.string(), file: z.string().optional(), line: z.number().optional(), field: z.string().optional() })),
  conflicts: z.array(z.object({ key: z.string(), layer: z.string(), winner: z.string(), loser: z.string() })),
});

const listCommands = createRoute({
  method: "get",
  path: "/v1/commands",
  summary: "The commands available from a working directory",
  request: { query: CwdQuerySchema },
  responses: { 200: json(z.object({ commands: z.array(CommandSummarySchema), problems: ProblemsSchema }), "Commands, and what is wrong with the definitions that failed to load"), ...errors },
});

const showCommand = createRoute({
  method: "get",
  path: "/v1/commands/{name}",
  summary: "One command's definition",
  request: { params: z.object({ name: z.string().min(1).openapi({ param: { name: "name", in: "path" }, example: "hello-world" }) }), query: CwdQuerySchema },
  responses: {
    200: json(
      z.object({ definition: z.record(z.string(), z.unknown()), usage: z.string(), documentation: z.string() }),
      "The definition (without its markdown body), its usage line, and the markdown body as `documentation`",
    ),
    404: json(ErrorSchema, "Unknown command (with close names)"),
    ...errors,
  },
});

const policyCheck = createRoute({
  method: "post",
  path: "/v1/policy/check",
  summary: "Decide shell lines without running them",
  description: "Nothing runs, nothing is audited and no rate-limit token is spent.",
  request: { body: { content: { "application/json": { schema: PolicyCheckRequestSchema } }, required: true } },
  responses: { 200: json(z.object({ answers: z.array(PolicyAnswerSchema) }), "One answer per line, in order"), ...errors },
});

const auditTail = createRoute({
  method: "get",
  path: "/v1/audit",
  summary: "The last audit records",
  request: { query: AuditQuerySchema },
  responses: { 200: json(z.object({ file: z.string(), records: z.array(AuditRecordSchema) }), "Records, oldest first"), ...errors },
});

const auditVerify = createRoute({
  method: "get",
  path: "/v1/audit/verify",
  summary: "Verify the audit log's hash chain",
  request: { query: CwdQuerySchema },
  responses: {
    200: json(z.object({ file: z.string(), ok: z.boolean(), records: z.number().int(), problem: z.object({ line: z.number(), seq: z.number().optional(), message: z.string() }).optional() }), "The verdict (ok false names the first broken link)"),
    ...errors,
  },
});

/** Commands, policy checks and the audit log. */
export function registerCatalogRoutes(app: OpenAPIHono, service: FirebreakService): void {
  const cwdOf = (cwd: string | undefined) => cwd ?? service.options.defaultCwd;

  app.openapi(listCommands, async (c) => {
    try {
      const ctx = await service.context(cwdOf(c.req.valid("query").cwd));
      return c.json({ commands: ctx.registry.list().map(commandSummary), problems: registryProblems(ctx.registry.current) }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });

  app.openapi(showCommand, async (c) => {
    try {
      const ctx = await service.context(cwdOf(c.req.valid("query").cwd));
      const def = resolveCommand(ctx, c.req.valid("param").name);
      return c.json({ definition: definitionView(def) as unknown as Record<string, unknown>, usage: usageLine(def), documentation: def.body }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });

  app.openapi(policyCheck, async (c) => {
    try {
      const body = c.req.valid("json");
      const ctx = await service.context(body.cwd);
      const answers = await checkLines(ctx, body.lines ?? [body.line!], { cwd: body.cwd, role: body.role });
      for (const a of answers) service.metrics.policyChecks.inc({ placement: a.placement });
      return c.json({ answers }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });

  app.openapi(auditTail, async (c) => {
    try {
      const { cwd, n } = c.req.valid("query");
      const ctx = await service.context(cwdOf(cwd));
      if (!ctx.audit) throw new AuditDisabledError();
      return c.json({ file: ctx.audit.file, records: ctx.audit.tail(n) as unknown as Record<string, unknown>[] }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });

  app.openapi(auditVerify, async (c) => {
    try {
      const ctx = await service.context(cwdOf(c.req.valid("query").cwd));
      if (!ctx.audit) throw new AuditDisabledError();
      return c.json({ file: ctx.audit.file, ...ctx.audit.verify() }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });
}
