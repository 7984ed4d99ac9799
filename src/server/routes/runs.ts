import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { encodeEvent, type InvocationRequest, NDJSON, type RefusedBody } from "../../api/wire.js";
import type { EngineEvent } from "../../engine/events.js";
import { announcePlan } from "../../engine/invoke.js";
import { planInvocation } from "../../engine/plan.js";
import { planView } from "../../engine/plan-view.js";
import { auditDryRun, confirmationQuestion, executePlan } from "../../engine/run.js";
import type { Invocation, InvocationOutcome, Plan } from "../../engine/types.js";
import { errorBody, errorResponse } from "../errors.js";
import { ErrorSchema, InvocationRequestSchema, PlanViewSchema, RefusedSchema, RunResultSchema } from "../schemas.js";
import type { FirebreakService } from "../service.js";
import { ERROR_RESPONSES, json } from "./responses.js";

const errors = { ...ERROR_RESPONSES, 404: json(ErrorSchema, "Unknown command (with close names)") };

const planRoute = createRoute({
  method: "post",
  path: "/v1/plan",
  summary: "Decide an invocation without running it",
  description: "The decision `firebreak run --plan --json` prints: placement, risk, reasons, segments, rules, concepts. Audited as a dry run.",
  request: { body: { content: { "application/json": { schema: InvocationRequestSchema } }, required: true } },
  responses: { 200: json(z.object({ plan: PlanViewSchema }), "The plan"), ...errors },
});

const runRoute = createRoute({
  method: "post",
  path: "/v1/runs",
  summary: "Run an invocation where the policy places it",
  description:
    "With `Accept: application/x-ndjson`: a stream of events (plan, hook, log, vm_phase, output, then result or refused; error if it could not run) one JSON object per line; output is `text` (UTF-8) or `base64`. Otherwise the final result. A client that disconnects cancels the run (killed, audited as cancelled).",
  request: { body: { content: { "application/json": { schema: InvocationRequestSchema } }, required: true } },
  responses: {
    200: {
      description: "The run finished (any exit status), or the event stream",
      content: { "application/json": { schema: z.object({ plan: PlanViewSchema, result: RunResultSchema }) }, [NDJSON]: { schema: z.string().openapi({ description: "NDJSON events" }) } },
    },
    403: json(RefusedSchema, "Refused by the policy pipeline (nothing ran), with the reasons"),
    409: json(RefusedSchema, "An `ask` rule needs confirmation: send again with `yes: true`"),
    503: json(ErrorSchema, "The daemon is stopping"),
    ...errors,
  },
});

function invocationOf(body: InvocationRequest): Invocation {
  return body.command !== undefined ? { kind: "command", name: body.command, args: body.args ?? [] } : { kind: "shell", line: body.line!, ...(body.vm ? { vm: true } : {}) };
}

async function planFor(service: FirebreakService, body: InvocationRequest): Promise<{ ctx: Awaited<ReturnType<FirebreakService["context"]>>; plan: Plan }> {
  const ctx = await service.context(body.cwd);
  const end = service.metrics.decision.startTimer();
  try {
    const plan = await planInvocation(ctx, invocationOf(body), { cwd: body.cwd, role: body.role, yes: body.yes, isTTY: false, env: body.env ?? service.options.env });
    return { ctx, plan };
  } finally {
    end();
  }
}

function count(service: FirebreakService, outcome: InvocationOutcome | undefined, fallbackPlacement: string): void {
  const placement = outcome?.kind === "completed" ? outcome.result.placement : outcome?.kind === "refused" ? "denied" : fallbackPlacement;
  const kind = !outcome ? "failed" : outcome.kind === "completed" ? (outcome.result.cancelled ? "cancelled" : "completed") : outcome.kind;
  service.metrics.invocations.inc({ placement, outcome: kind });
}

function refusedBody(outcome: Extract<InvocationOutcome, { kind: "refused" }>): RefusedBody {
  return {
    plan: planView(outcome.plan),
    refused: { message: outcome.message, reasons: outcome.reasons, ...(outcome.allowedRoles?.length ? { allowed_roles: outcome.allowedRoles } : {}) },
    ...(outcome.needsConfirmation ? { question: confirmationQuestion(outcome.plan) } : {}),
  };
}

/** `POST /v1/plan` and `POST /v1/runs`. */
export function registerRunRoutes(app: OpenAPIHono, service: FirebreakService): void {
  app.openapi(planRoute, async (c) => {
    try {
      const { ctx, plan } = await planFor(service, c.req.valid("json"));
      await auditDryRun(ctx, plan);
      service.metrics.invocations.inc({ placement: plan.decision.placement, outcome: "planned" });
      return c.json({ plan: planView(plan) }, 200);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
  });

  app.openapi(runRoute, async (c) => {
    if (!service.accepting) return c.json({ error: { code: "stopping", message: "firebreak serve is stopping", exit_code: 1 } }, 503);
    const body = c.req.valid("json");
    let planned: Awaited<ReturnType<typeof planFor>>;
    try {
      planned = await planFor(service, body);
    } catch (error) {
      return errorResponse(c, error) as never;
    }
    const { ctx, plan } = planned;
    const { decision } = plan;
    // Refusals known before anything runs are answered with a status; the stream starts only for a run.
    if (decision.placement === "denied" || plan.rendered === undefined || (decision.needsConfirmation && !body.yes)) {
      const outcome = await executePlan(ctx, plan, {});
      count(service, outcome, "denied");
      if (outcome.kind !== "refused") throw new Error("a refused plan ran"); // cannot happen: fail loudly
      return c.json(refusedBody(outcome), outcome.needsConfirmation ? 409 : 403) as never;
    }
    const clientSignal = c.req.raw.signal;
    if ((c.req.header("accept") ?? "").includes(NDJSON)) return streamRun(c, service, ctx, plan, clientSignal) as never;
    try {
      const outcome = await service.track(clientSignal, (signal) =>
        executePlan(ctx, plan, { signal, emit: (e) => service.metrics.observeEvent(e) }),
      );
      count(service, outcome, decision.placement);
      if (outcome.kind === "refused") return c.json(refusedBody(outcome), 403);
      return c.json({ plan: planView(plan), result: outcome.result }, 200);
    } catch (error) {
      count(service, undefined, decision.placement);
      return errorResponse(c, error) as never;
    }
  });
}

function streamRun(c: Context, service: FirebreakService, ctx: Awaited<ReturnType<FirebreakService["context"]>>, plan: Plan, clientSignal: AbortSignal): Response {
  const encoder = new TextEncoder();
  let closed = false;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: Parameters<typeof encodeEvent>[0]) => {
        if (!closed) controller.enqueue(encoder.encode(encodeEvent(event)));
      };
      const emit = (event: EngineEvent) => {
        service.metrics.observeEvent(event);
        send(event);
      };
      announcePlan(ctx, plan, emit);
      void service
        .track(clientSignal, (signal) => executePlan(ctx, plan, { signal, emit }))
        .then(
          (outcome) => count(service, outcome, plan.decision.placement),
          (error: unknown) => {
            count(service, undefined, plan.decision.placement);
            send({ type: "error", error: errorBody(error).body.error });
          },
        )
        .finally(() => {
          if (closed) return;
          closed = true;
          controller.close();
        });
    },
    cancel() {
      // The client stopped reading: the abort of the request signal cancels the run.
      closed = true;
    },
  });
  return c.body(readable, 200, { "content-type": NDJSON, "cache-control": "no-store" });
}
