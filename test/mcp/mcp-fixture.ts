import fs from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { freshCliProject } from "../helpers/cli.js";
import { REPO_ROOT, writeTree } from "../helpers/tmp.js";

/** A project with no VM (risky lines are refused) and an `ask` rule on `echo`. */
export const PROJECT_CONFIG = '[vm]\nbackend = "none"\n[[policy.rules]]\nid = "confirm-echo"\naction = "ask"\npattern = "echo *"\nmatch = ["echo hi"]\n';

/** A namespaced project command with bounds and a pattern: its tool is `db__migrate`. */
export const DB_MIGRATE = `---
name: migrate
namespace: db
description: Applies database migrations
risk_level: Low
execution_mode: Local
permissions: [read]
parameters:
  - name: steps
    type: number
    required: true
    min: 1
    max: 10
    description: How many migrations
  - name: target
    type: string
    required: false
    pattern: "^[a-z]+$"
    default_value: "main"
command: "printf 'migrating %s\\\\n' {{target}}"
---
`;

export function mcpProject(): { home: string; project: string; env: NodeJS.ProcessEnv } {
  const fresh = freshCliProject();
  writeTree(fresh.project, { "firebreak.toml": PROJECT_CONFIG });
  fs.mkdirSync(path.join(fresh.project, ".firebreak/commands"), { recursive: true });
  return fresh;
}

export interface ClientOptions {
  /** How the client answers an elicitation; absent = the client does not support elicitation. */
  elicit?: (message: string) => { action: "accept" | "decline" | "cancel"; content?: Record<string, unknown> };
}

/** A real SDK client; `listChanged` counts `notifications/tools/list_changed`. */
export function mcpClient(options: ClientOptions = {}): { client: Client; listChanged: () => number; elicited: string[] } {
  const client = new Client({ name: "firebreak-test", version: "1.0.0" }, { capabilities: options.elicit ? { elicitation: { form: {} } } : {} });
  let changes = 0;
  const elicited: string[] = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changes++;
  });
  if (options.elicit) {
    const answer = options.elicit;
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      elicited.push(request.params.message);
      return answer(request.params.message);
    });
  }
  return { client, listChanged: () => changes, elicited };
}

/** `firebreak mcp` as a real child process, the client connected to it over stdio. */
export async function connectStdio(project: string, env: NodeJS.ProcessEnv, options: ClientOptions = {}) {
  const made = mcpClient(options);
  const transport = new StdioClientTransport({ command: process.execPath, args: [path.join(REPO_ROOT, "bin/firebreak.js"), "mcp"], cwd: project, env: env as Record<string, string>, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (c) => (stderr += c));
  await made.client.connect(transport);
  return { ...made, transport, stderr: () => stderr };
}

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function textOf(result: object): string {
  return (((result as { content?: unknown }).content as { type: string; text?: string }[] | undefined) ?? []).map((c) => c.text ?? "").join("\n");
}
