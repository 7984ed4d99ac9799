import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createNotificationHook, deliveryBudgetMs } from "../../src/hooks/builtin/notification.js";
import { hooksConfigSchema } from "../../src/hooks/config.js";
import { createHookPipeline } from "../../src/hooks/pipeline.js";
import { makeCtx } from "./helpers.js";

interface Received {
  headers: IncomingMessage["headers"];
  body: string;
}

/** A real local webhook receiver; `statuses` are answered in order, then 200. */
async function receiver(statuses: number[] = []): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events?token=secret`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function hook(over: Record<string, unknown>) {
  return createNotificationHook(hooksConfigSchema.parse({ notification: { backoff_ms: 10, request_timeout_ms: 2000, ...over } }).notification);
}

const result = { exitCode: 0, signal: null, durationMs: 40, stdoutBytes: 12, stderrBytes: 0, timedOut: false, placement: "local" as const };
const deployCtx = (name = "deploy") =>
  makeCtx({ phase: "post", result, command: { name, permissions: [], riskLevel: "high" }, parameters: { password: "hunter2" }, rendered: "deploy --password hunter2" });

describe("notification hook", () => {
  it("POSTs the event for an important command to a local HTTP server, signed", async () => {
    const r = await receiver();
    servers.push(r.server);
    const p = createHookPipeline([hook({ webhooks: [{ url: r.url, secret: "k3y" }], commands: ["deploy"] })]);
    const post = await p.runPost(deployCtx());
    expect(r.received).toHaveLength(1);
    const { body, headers } = r.received[0]!;
    const event = JSON.parse(body);
    expect(event).toMatchObject({ hook_event_name: "PostCommand", command: "deploy", result: { exit_code: 0, stdout_bytes: 12 } });
    expect(body).not.toContain("hunter2");
    expect(headers["content-type"]).toBe("application/json");
    expect(headers["x-firebreak-signature"]).toBe(`sha256=${createHmac("sha256", "k3y").update(body).digest("hex")}`);
    expect(post.records[0]).toMatchObject({ name: "notification", action: "continue" });
    expect(post.records[0]?.message).toBeUndefined();
    expect(post.annotations.notification).toEqual({ deliveries: [expect.objectContaining({ ok: true, attempts: 1, status: 200 })] });
  });

  it("does nothing for commands that are not important", async () => {
    const r = await receiver();
    servers.push(r.server);
    const p = createHookPipeline([hook({ webhooks: [r.url], commands: ["/^db:/"] })]);
    const post = await p.runPost(deployCtx("deploy"));
    expect(post.records).toEqual([]);
    await p.runPost(deployCtx("db:migrate"));
    expect(r.received).toHaveLength(1);
  });

  it("notifies by min_risk", async () => {
    const r = await receiver();
    servers.push(r.server);
    const p = createHookPipeline([hook({ webhooks: [r.url], min_risk: "high" })]);
    await p.runPost({ ...deployCtx("anything"), decision: { risk: "critical", placement: "vm", reasons: [] } });
    await p.runPost(deployCtx("anything"));
    expect(r.received).toHaveLength(1);
  });

  it("retries 5xx with backoff until it is delivered", async () => {
    const r = await receiver([500, 503]);
    servers.push(r.server);
    const post = await createHookPipeline([hook({ webhooks: [r.url], commands: ["deploy"], retries: 2 })]).runPost(deployCtx());
    expect(r.received).toHaveLength(3);
    expect(post.annotations.notification).toEqual({ deliveries: [expect.objectContaining({ ok: true, attempts: 3 })] });
  });

  it("does not retry a 4xx and logs the failure in the record", async () => {
    const r = await receiver([404]);
    servers.push(r.server);
    const post = await createHookPipeline([hook({ webhooks: [r.url], commands: ["deploy"], retries: 3 })]).runPost(deployCtx());
    expect(r.received).toHaveLength(1);
    expect(post.records[0]?.message).toMatch(/failed after 1 attempt\(s\): HTTP 404/);
  });

  it("with the server down the command is not blocked and the failure is recorded without the token", async () => {
    const r = await receiver();
    await new Promise((res) => r.server.close(res));
    const p = createHookPipeline([hook({ webhooks: [r.url], commands: ["deploy"], retries: 2, phases: ["pre", "post"] })]);
    const pre = await p.runPre({ ...deployCtx(), phase: "pre", decision: { risk: "critical", placement: "vm", reasons: [] } });
    expect(pre.blocked).toBe(false);
    expect(pre.records[0]).toMatchObject({ name: "notification", action: "continue" });
    expect(pre.records[0]?.message).toMatch(/^notification not delivered: http:\/\/127\.0\.0\.1:\d+ failed after 3 attempt\(s\): ECONNREFUSED$/);
    expect(pre.records[0]?.message).not.toContain("secret");
  });

  it("gives the pipeline a timeout longer than its worst-case delivery", () => {
    const cfg = hooksConfigSchema.parse({ notification: { request_timeout_ms: 1000, retries: 2, backoff_ms: 100 } }).notification;
    expect(deliveryBudgetMs(cfg)).toBe(3000 + 100 + 200);
    expect(createNotificationHook(cfg).timeoutMs).toBeGreaterThan(deliveryBudgetMs(cfg));
  });
});
