import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { answerHookEvent } from "../../claude/hook.js";
import { failClosed } from "../../claude/hook-protocol.js";
import type { FirebreakService } from "../service.js";
import { ERROR_RESPONSES, json } from "./responses.js";

const hookRoute = createRoute({
  method: "post",
  path: "/v1/claude/hook",
  summary: "Answer one Claude Code hook event (what `firebreak claude hook` prints)",
  description:
    "`input` is the event JSON exactly as Claude Code wrote it to the hook's stdin (parsed here, so a malformed event gets the same fail-closed `ask` answer as in-process). PreToolUse Bash lines are decided as `policy check` decides them; PostToolUse events are audited.",
  request: {
    body: {
      content: { "application/json": { schema: z.object({ input: z.string(), cwd: z.string().min(1), vm: z.boolean().optional() }) } },
      required: true,
    },
  },
  responses: {
    200: json(z.object({ output: z.record(z.string(), z.unknown()).nullable(), message: z.string().optional() }), "The hook's stdout document (null: print nothing) and its stderr message"),
    ...ERROR_RESPONSES,
  },
});

/** `POST /v1/claude/hook`: the daemon side of `firebreak claude hook` (one request per tool call, kept small). */
export function registerClaudeRoutes(app: OpenAPIHono, service: FirebreakService): void {
  app.openapi(hookRoute, async (c) => {
    const body = c.req.valid("json");
    try {
      const ctx = await service.context(body.cwd);
      return c.json(await answerHookEvent(ctx, body.input, { cwd: body.cwd, vm: Boolean(body.vm) }), 200);
    } catch (error) {
      // As in-process: a context that does not load answers `ask`, never an error the hook would pass on.
      return c.json(failClosed((error as Error)?.message ?? String(error)), 200);
    }
  });
}
