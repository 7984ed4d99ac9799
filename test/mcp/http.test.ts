import fs from "node:fs";
import path from "node:path";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unixSocketFetch } from "../helpers/unix-fetch.js";
import { type DaemonProcess, startDaemon } from "../server/daemon-process.js";
import { type ClientOptions, DB_MIGRATE, mcpClient, mcpProject, textOf, waitFor } from "./mcp-fixture.js";

describe("/mcp on the daemon (Streamable HTTP over its Unix socket, the SDK's real client)", () => {
  const { project, env } = mcpProject();
  let daemon: DaemonProcess;
  const clients: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    daemon = await startDaemon(env, project);
  }, 30_000);
  afterAll(async () => {
    for (const c of clients) await c.close();
    await daemon?.stop();
  });

  async function connect(options: ClientOptions = {}) {
    const made = mcpClient(options);
    const url = new URL(`http://firebreak/mcp?cwd=${encodeURIComponent(project)}`);
    await made.client.connect(new StreamableHTTPClientTransport(url, { fetch: unixSocketFetch(daemon.socket) }));
    clients.push(made.client);
    return made;
  }

  it("lists tools, runs hello-world and refuses rm -rf ~ with its reasons", async () => {
    const { client } = await connect();
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["run_shell", "plan", "list_commands", "hello-world"]));
    const hello = await client.callTool({ name: "hello-world", arguments: { name: "Ada", greeting: "hi" } });
    expect(textOf(hello)).toContain("hi, Ada!");
    expect(hello.structuredContent).toMatchObject({ exit_code: 0, placement: "local" });
    const refused = await client.callTool({ name: "run_shell", arguments: { line: "rm -rf ~" } });
    expect(refused.isError).toBe(true);
    expect((refused.structuredContent as { reasons: string[] }).reasons.length).toBeGreaterThan(0);
  });

  it("asks through elicitation in the middle of a call, and refuses without it", async () => {
    const asking = await connect({ elicit: () => ({ action: "accept", content: { confirm: true } }) });
    const ran = await asking.client.callTool({ name: "run_shell", arguments: { line: "echo hi" } });
    expect(ran.structuredContent).toMatchObject({ exit_code: 0, stdout: "hi\n" });
    expect(asking.elicited).toHaveLength(1);
    const { client } = await connect();
    const refused = await client.callTool({ name: "run_shell", arguments: { line: "echo hi" } });
    expect(refused.structuredContent).toMatchObject({ refused: true, needs_confirmation: true });
  }, 20_000);

  it("cancels a run when the client aborts the call", async () => {
    const { client } = await connect();
    const marker = path.join(project, "after-sleep");
    const controller = new AbortController();
    const call = client.callTool({ name: "run_shell", arguments: { line: "sleep 2 && touch after-sleep" } }, undefined, { signal: controller.signal });
    await waitFor(async () => (JSON.parse((await daemon.get("/healthz")).text) as { in_flight: number }).in_flight === 1, "the run to start");
    controller.abort();
    await expect(call).rejects.toThrow();
    await waitFor(async () => (JSON.parse((await daemon.get("/healthz")).text) as { in_flight: number }).in_flight === 0, "the run to end", 5000);
    await new Promise((r) => setTimeout(r, 2500));
    expect(fs.existsSync(marker)).toBe(false);
  }, 20_000);

  it("sends list_changed when a definition appears, and lists its tool", async () => {
    const session = await connect();
    await session.client.listTools();
    fs.mkdirSync(path.join(project, ".firebreak/commands/db"), { recursive: true });
    fs.writeFileSync(path.join(project, ".firebreak/commands/db/migrate.md"), DB_MIGRATE);
    await waitFor(() => session.listChanged() > 0, "notifications/tools/list_changed");
    expect((await session.client.listTools()).tools.map((t) => t.name)).toContain("db__migrate");
  }, 20_000);
});
