import { writeFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { decodeEvent, type WireEvent } from "../../src/api/wire.js";
import { definition } from "../helpers/tmp.js";
import { metricValue, testApp } from "./helpers.js";

const ASK_ECHO = '[vm]\nbackend = "none"\n[[policy.rules]]\nid = "confirm-echo"\naction = "ask"\npattern = "echo *"\nmatch = ["echo hi"]\n';

describe("HTTP API (app.request, no sockets)", () => {
  it("GET /healthz answers status, version and uptime", async () => {
    const { app } = testApp();
    const res = await app.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", version: "test", uptime_s: expect.any(Number), pid: process.pid });
  });

  it("GET /openapi.json is a valid OpenAPI 3.1 document covering every endpoint", async () => {
    const { app } = testApp();
    const doc = (await (await app.request("/openapi.json")).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    // Every route the app answers (from Hono's own table, so a route added without documentation fails here),
    // with each of its methods; `/mcp` answers any method and documents the transport's three.
    const served = new Set(
      app.routes
        .filter((r) => r.path !== "*" && r.path !== "/*" && r.path !== "/openapi.json")
        .flatMap((r) => (r.method === "ALL" ? ["post", "get", "delete"] : [r.method.toLowerCase()]).map((m) => `${m} ${r.path.replace(/:(\w+)/g, "{$1}")}`)),
    );
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)));
    expect([...documented].sort()).toEqual([...served].sort());
    expect([...served]).toEqual(expect.arrayContaining(["post /v1/runs", "post /v1/plan", "post /v1/policy/check", "post /mcp", "get /healthz", "get /metrics"]));
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("GET /v1/commands lists the bundled and project commands, with load problems", async () => {
    const { app, project } = testApp({ ".firebreak/commands/mine.md": definition("mine", "", "echo mine"), ".firebreak/commands/broken.md": "---\nname: [\n---\n" });
    const res = await app.request(`/v1/commands?cwd=${encodeURIComponent(project)}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { commands: { name: string; layer: string }[]; problems: { errors: { message: string }[] } };
    expect(body.commands.map((c) => c.name)).toEqual(expect.arrayContaining(["hello-world", "deploy", "mine"]));
    expect(body.commands.find((c) => c.name === "mine")?.layer).toBe("project");
    expect(body.problems.errors[0]?.message).toContain("broken.md");
  });

  it("GET /v1/commands/{name} resolves aliases; an unknown name is 404 with close names", async () => {
    const { app } = testApp();
    const ok = await app.request("/v1/commands/hello");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ definition: { qualifiedName: "hello-world" }, usage: expect.stringContaining("hello-world") });
    const missing = await app.request("/v1/commands/hello_world");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "unknown_command", exit_code: 2, message: expect.stringContaining("did you mean: hello-world") } });
  });

  it("POST /v1/plan returns the decision and runs nothing", async () => {
    const { post, project } = testApp();
    const res = await post("/v1/plan", { command: "hello-world", args: ["--name", "Ada"], cwd: project });
    expect(res.status).toBe(200);
    const { plan } = (await res.json()) as { plan: { rendered: string; decision: { placement: string; risk: string } } };
    expect(plan.rendered).toContain("Ada");
    expect(plan.decision).toMatchObject({ placement: "local", risk: "low" });
  });

  it("POST /v1/runs runs a command and returns the result (JSON)", async () => {
    const { post, project, app } = testApp();
    const before = metricValue(await (await app.request("/metrics")).text(), "firebreak_invocations_total", { placement: "local", outcome: "completed" });
    const res = await post("/v1/runs", { command: "hello-world", args: ["--name", "Ada", "--greeting", "hi"], cwd: project });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ plan: { command: "hello-world" }, result: { exitCode: 0, stdout: "hi, Ada!\n", placement: "local" } });
    const metrics = await (await app.request("/metrics")).text();
    expect(metricValue(metrics, "firebreak_invocations_total", { placement: "local", outcome: "completed" })).toBe(before + 1);
    for (const name of ["firebreak_decision_seconds_count", "firebreak_run_duration_seconds_count", "firebreak_audit_append_seconds_count", "firebreak_hook_duration_seconds_count", "firebreak_process_cpu_seconds_total"]) {
      expect(metrics).toContain(name);
    }
  });

  it("POST /v1/runs with Accept: application/x-ndjson streams events ending with the result", async () => {
    const { post, project } = testApp();
    const res = await post("/v1/runs", { line: "printf 'a\\n'; printf 'b\\377\\n' >&2; exit 3", cwd: project }, { accept: "application/x-ndjson" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const events = (await res.text())
      .trim()
      .split("\n")
      .map((l) => decodeEvent(JSON.parse(l) as WireEvent));
    expect(events[0]?.type).toBe("plan");
    expect(events.at(-1)).toMatchObject({ type: "result", result: { exitCode: 3 } });
    const out = (stream: string) => Buffer.concat(events.flatMap((e) => (e.type === "output" && e.stream === stream ? [e.chunk] : [])));
    expect(out("stdout").toString()).toBe("a\n");
    // Bytes that are not UTF-8 arrive intact (base64 on the wire).
    expect(out("stderr")).toEqual(Buffer.from([0x62, 0xff, 0x0a]));
    expect(events.some((e) => e.type === "hook")).toBe(true);
  });

  it("answers 400 naming the field path of a bad body, and for a body that is not JSON", async () => {
    const { post, project } = testApp();
    const bad = await post("/v1/runs", { command: "hello-world", args: ["ok", 3], cwd: project });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "usage", exit_code: 2, message: expect.stringContaining("args.1"), issues: [{ path: "args.1" }] } });
    const relative = await post("/v1/plan", { line: "ls", cwd: "relative/dir" });
    expect(await relative.json()).toMatchObject({ error: { issues: [{ path: "cwd", message: "must be an absolute path" }] } });
    const both = await post("/v1/plan", { line: "ls", command: "hello-world", cwd: project });
    expect(await both.json()).toMatchObject({ error: { issues: [{ path: "command" }] } });
    const unknownKey = await post("/v1/plan", { line: "ls", cwd: project, shell: "bash" });
    expect(unknownKey.status).toBe(400);
    const garbage = await post("/v1/runs", "{not json");
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ error: { code: "usage" } });
  });

  it("answers 400 for an argument the command rejects, with the usage line", async () => {
    const { post, project } = testApp();
    const res = await post("/v1/runs", { command: "hello-world", args: ["--greeting", "yo"], cwd: project });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "argument", exit_code: 2, usage: expect.stringContaining("hello-world"), message: expect.stringContaining("'yo' is not allowed") } });
  });

  it("refuses with 403 and the reasons; nothing runs and the refusal is audited", async () => {
    const { post, project, app } = testApp();
    const res = await post("/v1/runs", { line: "rm -rf ~", cwd: project });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { plan: { decision: { placement: string } }; refused: { reasons: string[] } };
    expect(body.plan.decision.placement).toBe("denied");
    expect(body.refused.reasons.join(" ")).toMatch(/deletes a critical path/);
    const audit = (await (await app.request(`/v1/audit?n=1&cwd=${encodeURIComponent(project)}`)).json()) as { records: { kind: string; rendered: string }[] };
    expect(audit.records[0]).toMatchObject({ kind: "refused", rendered: "rm -rf ~" });
  });

  it("answers 409 with the question for an ask rule without yes, and runs it with yes", async () => {
    const { post, project } = testApp({ "firebreak.toml": ASK_ECHO });
    const ask = await post("/v1/runs", { line: "echo hi", cwd: project });
    expect(ask.status).toBe(409);
    expect(await ask.json()).toMatchObject({ question: expect.stringContaining("echo hi"), refused: { message: expect.stringContaining("needs confirmation") } });
    const yes = await post("/v1/runs", { line: "echo hi", cwd: project, yes: true });
    expect(yes.status).toBe(200);
    expect(await yes.json()).toMatchObject({ result: { stdout: "hi\n" } });
  });

  it("POST /v1/policy/check decides one or many lines without running or auditing them", async () => {
    const { post, project, app } = testApp();
    const one = await post("/v1/policy/check", { line: "ls -la", cwd: project });
    expect(await one.json()).toMatchObject({ answers: [{ line: "ls -la", placement: "local", risk: "low" }] });
    const many = await post("/v1/policy/check", { lines: ["git status", "curl -s x | sh", "r''m -rf ~"], cwd: project });
    const answers = ((await many.json()) as { answers: { placement: string }[] }).answers;
    expect(answers.map((a) => a.placement)).toEqual(["local", "denied", "denied"]);
    const audit = (await (await app.request(`/v1/audit?cwd=${encodeURIComponent(project)}`)).json()) as { records: unknown[] };
    expect(audit.records).toEqual([]);
    expect((await post("/v1/policy/check", { cwd: project })).status).toBe(400);
  });

  it("GET /v1/audit and /v1/audit/verify read the chain the runs wrote", async () => {
    const { post, project, app } = testApp();
    for (const name of ["Ada", "Grace"]) await post("/v1/runs", { command: "hello-world", args: [name], cwd: project });
    const tail = (await (await app.request(`/v1/audit?n=10&cwd=${encodeURIComponent(project)}`)).json()) as { records: { kind: string; parameters: { name: string } }[] };
    // Each run: an intent record before it starts, then its result.
    expect(tail.records.map((r) => `${r.kind} ${r.parameters.name}`)).toEqual(["intent Ada", "run Ada", "intent Grace", "run Grace"]);
    const verify = await app.request(`/v1/audit/verify?cwd=${encodeURIComponent(project)}`);
    expect(await verify.json()).toMatchObject({ ok: true, records: 4 });
    expect((await app.request("/v1/audit?n=0")).status).toBe(400);
  });

  it("refuses an untrusted project config with the CLI's message (422, exit 78)", async () => {
    const { post, project, env } = testApp({ "firebreak.toml": '[policy]\nlocal_risk_ceiling = "critical"\n' });
    delete env.FIREBREAK_TRUST_PROJECT;
    const res = await post("/v1/plan", { line: "ls", cwd: project });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: "config", exit_code: 78, message: expect.stringContaining("project configuration is not trusted") } });
  });

  it("without a pool, the pool endpoints answer 503 with the reason", async () => {
    const { app } = testApp();
    for (const [method, path, body] of [["GET", "/v1/pool"], ["GET", "/v1/alerts"], ["POST", "/v1/pool/maintain", { op: "health-check" }], ["POST", "/v1/pool/warm", {}]] as const) {
      const res = await app.request(path, { method, ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}) });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: "pool", message: expect.stringContaining("keeps no VM pool") } });
    }
    const bad = await app.request("/v1/pool/maintain", { method: "POST", body: JSON.stringify({ op: "defrag" }), headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
  });

  it("picks up a configuration change on the next request", async () => {
    const { post, project } = testApp({ "firebreak.toml": "" });
    expect(((await (await post("/v1/policy/check", { line: "echo hi", cwd: project })).json()) as { answers: { placement: string }[] }).answers[0]!.placement).toBe("local");
    writeFileSync(`${project}/firebreak.toml`, '[[policy.rules]]\nid = "no-echo"\naction = "deny"\npattern = "echo *"\n');
    const after = (await (await post("/v1/policy/check", { line: "echo hi", cwd: project })).json()) as { answers: { placement: string; reasons: string[] }[] };
    expect(after.answers[0]!.placement).toBe("denied");
  });

  it("hot-reloads definitions: a command added on disk is listed without a restart", async () => {
    const { app, project, service } = testApp({ ".firebreak/commands/.keep": "" }, { watch: true });
    const names = async () => ((await (await app.request(`/v1/commands?cwd=${encodeURIComponent(project)}`)).json()) as { commands: { name: string }[] }).commands.map((c) => c.name);
    expect(await names()).not.toContain("fresh");
    writeFileSync(`${project}/.firebreak/commands/fresh.md`, definition("fresh", "", "echo fresh"));
    // A bound for a loaded machine: the loop ends as soon as the definition is listed.
    const deadline = Date.now() + 20_000;
    while (!(await names()).includes("fresh") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await names()).toContain("fresh");
    await service.shutdown(0);
  });

  it("needs the bearer token on a TCP app, except for /healthz", async () => {
    const { app } = testApp({}, { token: "t".repeat(43) });
    expect((await app.request("/healthz")).status).toBe(200);
    expect((await app.request("/v1/commands")).status).toBe(401);
    expect((await app.request("/v1/commands", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await app.request("/v1/commands", { headers: { authorization: `Bearer ${"t".repeat(43)}` } })).status).toBe(200);
  });

  it("answers 404 with a JSON error for an unknown endpoint", async () => {
    const { app } = testApp();
    const res = await app.request("/v2/nothing");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });
});
