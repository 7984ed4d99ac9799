/** A pool alert as the daemon handles it: logged, audited, POSTed to the notification hook's webhooks, cleared once. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditLog } from "../../src/audit/log.js";
import { loadConfig } from "../../src/config/load.js";
import { ServerMetrics } from "../../src/server/metrics.js";
import { DaemonPool } from "../../src/server/pool.js";
import { isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";

describe("pool alerts in the daemon", () => {
  const received: unknown[] = [];
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push(JSON.parse(body));
        res.end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("a firing allocation_p95 is logged, audited and sent; when it clears, that is too", async () => {
    const project = tempDir("fb-proj-");
    writeTree(project, { "firebreak.toml": `[pool]\nmin_ready = 0\n\n[alerts]\nallocation_p95_ms = 100\n\n[hooks.notification]\nwebhooks = ["${url}"]\n` });
    const loaded = await loadConfig({ cwd: project, env: isolatedEnv(project) });
    const audit = new AuditLog(`${project}/audit`);
    const logs: string[] = [];
    const metrics = new ServerMetrics();
    const daemonPool = new DaemonPool({
      loaded,
      metrics,
      audit: async () => ({ audit, user: "tester" }),
      maintenanceDeps: { reapOrphans: async () => ({}), collectSnapshots: async () => ({}) },
      log: (l) => logs.push(l),
    });
    const type = daemonPool.pool.types[0]!;
    for (const ms of [5, 400, 420]) type.allocateMs.add(ms);
    expect(daemonPool.alerts.evaluate().map((a) => `${a.name}:${a.state}`)).toEqual(["allocation_p95:firing"]);
    expect(daemonPool.status().alerts).toMatchObject([{ name: "allocation_p95", type: "default", threshold: 100 }]);
    expect(await metrics.registry.getSingleMetricAsString("firebreak_alerts_firing")).toContain('firebreak_alerts_firing{name="allocation_p95"} 1');
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toMatchObject({ hook_event_name: "Alert", alert: { name: "allocation_p95", state: "firing" } });
    expect(logs.some((l) => l.includes("alert allocation_p95 firing"))).toBe(true);

    // The slow allocations age out (a fresh window): the alert clears, once.
    (type.allocateMs as unknown as { samples: unknown[] }).samples = [];
    expect(daemonPool.alerts.evaluate().map((a) => `${a.name}:${a.state}`)).toEqual(["allocation_p95:cleared"]);
    expect(daemonPool.alerts.evaluate()).toEqual([]);
    await expect.poll(() => received.length).toBe(2);
    expect(received[1]).toMatchObject({ alert: { name: "allocation_p95", state: "cleared" } });
    await expect.poll(() => audit.tail(10).filter((r) => r.kind === "alert").length).toBe(2);
    await daemonPool.stop();
  });
});
