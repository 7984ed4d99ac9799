import { rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AgentClient } from "../../../src/vm/agent/index.js";
import { QemuBackend, type QemuVm } from "../../../src/vm/qemu/index.js";
import { userNetdev } from "../../../src/vm/qemu/user-network.js";
import { reportMissingVmEnv, specFor, vmTestEnv } from "./vm-env.js";

// Issue 11, item 4: a networked guest reached a server bound to the host's 127.0.0.1 through 10.0.2.2.
// Only loopback servers are used here (this environment forbids traffic to any other address).
const env = await vmTestEnv();
reportMissingVmEnv(env, "QEMU guest network isolation");
const backend = new QemuBackend({ accel: "tcg" });
const cleanups: Array<() => Promise<void>> = [];
let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end("host-loopback-secret\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function guestWith(networkAllow?: string[]) {
  if (!env.ok) throw new Error("unreachable");
  const spec = { ...specFor(env.image, { network: true }), networkAllow };
  cleanups.push(async () => rmSync(path.dirname(spec.runDir), { recursive: true, force: true }));
  const vm = (await backend.boot(spec)) as QemuVm;
  cleanups.push(() => backend.destroy(vm));
  const agent = new AgentClient(await vm.connectAgent());
  cleanups.push(async () => agent.close());
  // busybox nc (the guest's static wget crashes resolving even a numeric address); HTTP/1.0 so the server closes.
  return async (address: string) => {
    const [host, hostPort] = address.split(":");
    const r = await agent.exec({ script: `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${hostPort}`, timeoutMs: 15_000 }, { collect: true });
    const out = r.stdout?.toString() ?? "";
    return { ok: r.exitCode === 0 && out.startsWith("HTTP/1."), body: out.split("\r\n\r\n")[1] ?? "" };
  };
}

describe("guest networking is restricted on the host side", () => {
  it("builds a restricted netdev whose only routes are the allowed endpoints", () => {
    expect(userNetdev()).toBe("user,id=net0,restrict=on");
    expect(userNetdev(["127.0.0.1:8080", "10.1.2.3:443"])).toMatch(
      /^user,id=net0,restrict=on,guestfwd=tcp:10\.0\.2\.100:8080-cmd:\S+ \S+tcp-relay\.mjs 127\.0\.0\.1 8080,guestfwd=tcp:10\.0\.2\.101:443-cmd:\S+ \S+ 10\.1\.2\.3 443$/,
    );
    for (const bad of ["localhost:80", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "[::1]:80", "1.2.3.4:80,restrict=off"]) {
      expect(() => userNetdev([bad]), bad).toThrow(/IPv4:port/);
    }
  });

  describe.skipIf(!env.ok)("real guests under TCG", { timeout: 120_000 }, () => {
    it("a networked guest cannot reach a server on the host's loopback", async () => {
      const fetch = await guestWith();
      expect(await fetch(`10.0.2.2:${port}`)).toEqual({ ok: false, body: "" });
      expect((await fetch(`10.0.2.100:${port}`)).ok).toBe(false);
    });

    it("reaches it only when it is listed, at 10.0.2.100, and nothing else", async () => {
      const fetch = await guestWith([`127.0.0.1:${port}`]);
      expect(await fetch(`10.0.2.100:${port}`)).toEqual({ ok: true, body: "host-loopback-secret\n" });
      expect((await fetch(`10.0.2.2:${port}`)).ok).toBe(false);
    });
  });
});
