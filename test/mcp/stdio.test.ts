import fs from "node:fs";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectStdio, DB_MIGRATE, mcpProject, textOf, waitFor } from "./mcp-fixture.js";

/** Pids under `root` (any depth) whose command line contains `needle`, from /proc. */
function descendants(root: number, needle: string): number[] {
  const parent = new Map<number, number>();
  const cmdline = new Map<number, string>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      cmdline.set(Number(entry), fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " "));
    } catch {
      // ended while we looked
    }
  }
  const under = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...cmdline].filter(([pid, cmd]) => cmd.includes(needle) && under(pid)).map(([pid]) => pid);
}

describe("firebreak mcp over stdio (the SDK's real client)", () => {
  const { project, env } = mcpProject();
  let session: Awaited<ReturnType<typeof connectStdio>>;
  let client: Client;
  beforeAll(async () => {
    session = await connectStdio(project, env);
    client = session.client;
  }, 30_000);
  afterAll(async () => {
    await client?.close();
  });

  it("lists a tool per command with its schema and risk hints, and the built-in tools", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["run_shell", "plan", "list_commands", "hello-world", "deploy"]));
    const hello = tools.find((t) => t.name === "hello-world")!;
    expect(hello.description).toContain("Simple hello world command for testing");
    expect(hello.inputSchema.properties?.greeting).toMatchObject({ type: "string", enum: ["hello", "hi", "hey", "greetings"], default: "hello" });
    expect(hello.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    const deploy = tools.find((t) => t.name === "deploy")!;
    expect(deploy.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  });

  it("runs a command tool: hello-world {name: Ada, greeting: hi} says 'hi, Ada!'", async () => {
    const result = await client.callTool({ name: "hello-world", arguments: { name: "Ada", greeting: "hi" } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain("hi, Ada!");
    expect(result.structuredContent).toMatchObject({ exit_code: 0, stdout: "hi, Ada!\n", stderr: "", placement: "local", risk: "low", changes: null });
  });

  it("keeps a value that looks like an option a value (no option injection through arguments)", async () => {
    const result = await client.callTool({ name: "hello-world", arguments: { name: "--greeting=hey" } });
    expect(result.structuredContent).toMatchObject({ exit_code: 0, stdout: "hello, --greeting=hey!\n" });
  });

  it("refuses `rm -rf ~` through run_shell as a tool error with the reasons", async () => {
    const result = await client.callTool({ name: "run_shell", arguments: { line: "rm -rf ~" } });
    expect(result.isError).toBe(true);
    const structured = result.structuredContent as { refused: boolean; reasons: string[]; placement: string };
    expect(structured).toMatchObject({ refused: true, placement: "denied" });
    expect(structured.reasons.length).toBeGreaterThan(0);
    expect(textOf(result)).toContain(structured.reasons[0]);
  });

  it("plans without running", async () => {
    const result = await client.callTool({ name: "plan", arguments: { line: "rm -rf ~" } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ placement: "denied", line: "rm -rf ~" });
    const cmd = await client.callTool({ name: "plan", arguments: { command: "hello-world", arguments: { name: "Ada" } } });
    expect(cmd.structuredContent).toMatchObject({ command: "hello-world", placement: "local" });
  });

  it("refuses an ask rule as needing confirmation when the client cannot answer elicitations", async () => {
    const result = await client.callTool({ name: "run_shell", arguments: { line: "echo hi" } });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ refused: true, needs_confirmation: true });
  });

  it("kills a cancelled run: nothing of `sleep 30` is left, and the server still answers", async () => {
    const controller = new AbortController();
    const progress: string[] = [];
    const call = client.callTool({ name: "run_shell", arguments: { line: "sleep 30" } }, undefined, { signal: controller.signal, onprogress: (p) => progress.push(p.message ?? "") });
    const pid = session.transport.pid!;
    await waitFor(() => descendants(pid, "sleep 30").length > 0, "sleep 30 to start");
    controller.abort();
    await expect(call).rejects.toThrow();
    await waitFor(() => descendants(pid, "sleep 30").length === 0, "sleep 30 to be killed", 5000);
    expect(progress).toContain("placement: local");
    const after = await client.callTool({ name: "hello-world", arguments: {} });
    expect(textOf(after)).toContain("hello, World!");
  }, 20_000);

  it("follows definitions added on disk: list_changed, then the namespaced tool with bounds and a pattern", async () => {
    const before = session.listChanged();
    fs.mkdirSync(path.join(project, ".firebreak/commands/db"), { recursive: true });
    fs.writeFileSync(path.join(project, ".firebreak/commands/db/migrate.md"), DB_MIGRATE);
    // A bound for a loaded CI machine (real VMs run beside this file); it ends as soon as the notification arrives.
    await waitFor(() => session.listChanged() > before, "notifications/tools/list_changed", 25_000);
    const { tools } = await client.listTools();
    const migrate = tools.find((t) => t.name === "db__migrate");
    expect(migrate?.inputSchema).toMatchObject({ required: ["steps"], properties: { steps: { type: "number", minimum: 1, maximum: 10 }, target: { type: "string", pattern: "^[a-z]+$" } } });
    const result = await client.callTool({ name: "db__migrate", arguments: { steps: 3 } });
    expect(textOf(result)).toContain("migrating main");
    // Out of bounds or off the pattern: a tool error, nothing runs.
    for (const bad of [{ steps: 11 }, { steps: 3, target: "Main" }]) {
      const refused = await client.callTool({ name: "db__migrate", arguments: bad });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).not.toContain("migrating");
    }
    const listed = await client.callTool({ name: "list_commands", arguments: {} });
    expect((listed.structuredContent as { commands: { name: string; tool: string }[] }).commands).toContainEqual(expect.objectContaining({ name: "db:migrate", tool: "db__migrate" }));
  }, 45_000);
});

describe("firebreak mcp: ask rules through elicitation", () => {
  const { project, env } = mcpProject();

  it("runs an ask-rule line once the user accepts in the client", async () => {
    const session = await connectStdio(project, env, { elicit: () => ({ action: "accept", content: { confirm: true } }) });
    try {
      const result = await session.client.callTool({ name: "run_shell", arguments: { line: "echo hi" } });
      expect(session.elicited).toEqual([expect.stringContaining("echo hi")]);
      expect(result.structuredContent).toMatchObject({ exit_code: 0, stdout: "hi\n" });
    } finally {
      await session.client.close();
    }
  }, 20_000);

  it("refuses it when the user declines, or accepts without confirming", async () => {
    const answers = [{ action: "decline" as const }, { action: "accept" as const, content: { confirm: false } }];
    const session = await connectStdio(project, env, { elicit: () => answers.shift()! });
    try {
      for (let i = 0; i < 2; i++) {
        const result = await session.client.callTool({ name: "run_shell", arguments: { line: "echo hi" } });
        expect(result.isError).toBe(true);
        expect(result.structuredContent).toMatchObject({ refused: true, needs_confirmation: true });
      }
      expect(session.elicited).toHaveLength(2);
    } finally {
      await session.client.close();
    }
  }, 20_000);
});
