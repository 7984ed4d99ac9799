import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { changesService } from "../../engine/changes.js";
import { errorResponse } from "../errors.js";
import { ApplyReportSchema, ChangesetSummarySchema, CwdQuerySchema, ErrorSchema } from "../schemas.js";
import type { FirebreakService } from "../service.js";
import { ERROR_RESPONSES, json } from "./responses.js";

const IdParam = z.object({ id: z.string().min(1).openapi({ param: { name: "id", in: "path" }, example: "20261201-101500-a1b2c3" }) });
const NOT_FOUND = { 409: json(ErrorSchema, "Unknown, ambiguous or discarded changeset") };

const list = createRoute({
  method: "get",
  path: "/v1/changes",
  summary: "Changesets microVM runs left, newest first",
  request: { query: CwdQuerySchema },
  responses: { 200: json(z.object({ changes: z.array(ChangesetSummarySchema) }), "Summaries"), ...ERROR_RESPONSES },
});

const show = createRoute({
  method: "get",
  path: "/v1/changes/{id}",
  summary: "One changeset: every change, what was applied, and (diff=true) a unified diff against the host",
  request: { params: IdParam, query: CwdQuerySchema.extend({ diff: z.enum(["true", "false"]).optional() }) },
  responses: { 200: json(z.object({ changeset: z.record(z.string(), z.unknown()), diff: z.string().optional() }), "The changeset record"), ...NOT_FOUND, ...ERROR_RESPONSES },
});

const apply = createRoute({
  method: "post",
  path: "/v1/changes/{id}/apply",
  summary: "Apply a changeset to its workspace (conflicts are listed, never overwritten; audited)",
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: z.object({ cwd: z.string().optional(), include_protected: z.boolean().default(false) }) } }, required: false },
  },
  responses: { 200: json(z.object({ changeset: z.string(), status: z.string(), report: ApplyReportSchema }), "What was applied"), ...NOT_FOUND, ...ERROR_RESPONSES },
});

const discard = createRoute({
  method: "post",
  path: "/v1/changes/{id}/discard",
  summary: "Drop a changeset's contents without applying them (audited)",
  request: { params: IdParam, query: CwdQuerySchema },
  responses: { 200: json(z.object({ changeset: z.string(), status: z.string() }), "Discarded"), ...NOT_FOUND, ...ERROR_RESPONSES },
});

/** Changesets: review, apply, discard. */
export function registerChangesRoutes(app: OpenAPIHono, service: FirebreakService): void {
  const changes = async (cwd: string | undefined) => changesService(await service.context(cwd ?? service.options.defaultCwd));

  app.openapi(list, async (c) => {
    try {
      return c.json({ changes: (await changes(c.req.valid("query").cwd)).list() }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });

  app.openapi(show, async (c) => {
    try {
      const query = c.req.valid("query");
      const svc = await changes(query.cwd);
      const cs = svc.show(c.req.valid("param").id);
      const diff = query.diff === "true" ? await svc.diff(cs.id) : undefined;
      return c.json({ changeset: cs as unknown as Record<string, unknown>, ...(diff !== undefined ? { diff } : {}) }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });

  app.openapi(apply, async (c) => {
    try {
      const body = c.req.valid("json") ?? { include_protected: false };
      const { changeset, report } = await (await changes(body.cwd)).apply(c.req.valid("param").id, { includeProtected: body.include_protected });
      return c.json({ changeset: changeset.id, status: changeset.status, report }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });

  app.openapi(discard, async (c) => {
    try {
      const cs = await (await changes(c.req.valid("query").cwd)).discard(c.req.valid("param").id);
      return c.json({ changeset: cs.id, status: cs.status }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });
}
