import { createApp } from "../../src/server/app.js";
import { FirebreakService } from "../../src/server/service.js";
import type { VmRunner } from "../../src/vm/run-request.js";
import { isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";

/** A VM runner that must never be called: tests that reach it have placed something in a VM unexpectedly. */
export const noVm: VmRunner = {
  availability: async () => ({ available: false, reason: "no VM in this test" }),
  run: async () => {
    throw new Error("no VM in this test");
  },
};

/** A service and its Hono app over a temp home and project (no sockets). */
export function testApp(files: Record<string, string> = {}, options: { vm?: VmRunner; token?: string; watch?: boolean } = {}) {
  const home = tempDir("fb-home-");
  const project = tempDir("fb-proj-");
  writeTree(project, files);
  const env = isolatedEnv(home);
  const service = new FirebreakService({ env, version: "test", defaultCwd: project, watch: options.watch ?? false, engineDeps: { vm: () => options.vm ?? noVm } });
  const app = createApp(service, { token: options.token });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });
  return { app, service, project, home, env, post };
}

/** The metric's value for a label set from the Prometheus text, 0 when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${want}}`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}
