import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policySchema, roleSchema } from "../../src/policy/config-schema.js";
import { RateLimitStore } from "../../src/policy/limits/rate-limit-store.js";
import { checkTimeWindows, rateLimitRequests } from "../../src/policy/limits/resolve.js";

const policy = policySchema.parse({
  rate_limits: { deploy: { per_minute: 1 }, "*": { per_hour: 100, scope: "global" } },
  time_windows: { deploy: { days: ["mon-fri"], hours: "09:00-17:00", timezone: "UTC" }, "*": { hours: "06:00-22:00", timezone: "UTC" } },
});
const ops = roleSchema.parse({ rate_limits: { deploy: { per_day: 3 } }, time_window: { days: ["mon-thu"], timezone: "UTC" } });

describe("rateLimitRequests", () => {
  it("collects the command's and the catch-all limits from the policy and the role", () => {
    const requests = rateLimitRequests({ command: "deploy", user: "alice", role: { name: "ops", config: ops }, policy });
    expect(requests.map((r) => [r.key, r.subject])).toEqual([
      ["policy|cmd:deploy|user:alice", "deploy by alice"],
      ["policy|all|global", "all commands (all users)"],
      ["role:ops|cmd:deploy|user:alice", "deploy by alice (role ops)"],
    ]);
  });

  it("applies only the catch-all to other commands and escapes key parts", () => {
    const requests = rateLimitRequests({ command: "db:migrate", user: "a|b", policy });
    expect(requests.map((r) => r.key)).toEqual(["policy|all|global"]);
    const own = rateLimitRequests({ command: "x|y", user: "a|b", policy: { rate_limits: { "x|y": { per_minute: 1, scope: "user" } }, time_windows: {} } });
    expect(own[0]?.key).toBe("policy|cmd:x%7Cy|user:a%7Cb");
  });

  it("feeds the store so one user's limit does not block another's", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "firebreak-rl-"));
    try {
      const store = new RateLimitStore({ stateDir });
      const run = (user: string, now: number) => store.consumeAll(rateLimitRequests({ command: "deploy", user, policy }), now);
      expect((await run("alice", 0)).allowed).toBe(true);
      const again = await run("alice", 30_000);
      expect(again.allowed).toBe(false);
      expect(again.reasons).toEqual(["rate limit 1/min for deploy by alice: retry in 30 s"]);
      expect((await run("bob", 30_000)).allowed).toBe(true);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

describe("checkTimeWindows", () => {
  const subject = { command: "deploy", user: "alice", role: { name: "ops", config: ops }, policy };

  it("requires every applicable window to be open", () => {
    expect(checkTimeWindows(subject, new Date("2026-11-23T10:00:00Z"))).toEqual({ allowed: true, reasons: [] }); // Mon
    const friday = checkTimeWindows(subject, new Date("2026-11-27T10:00:00Z"));
    expect(friday.allowed).toBe(false);
    expect(friday.reasons).toHaveLength(1);
    expect(friday.reasons[0]).toMatch(/^role ops: outside the time window mon-thu all day \(UTC\)/);
  });

  it("reports every closed window and the latest of their openings", () => {
    const lateFriday = checkTimeWindows(subject, new Date("2026-11-27T23:00:00Z"));
    expect(lateFriday.reasons.map((r) => r.split(":")[0])).toEqual(["deploy", "all commands", "role ops"]);
    expect(lateFriday.nextOpen?.toISOString()).toBe("2026-11-30T09:00:00.000Z");
  });

  it("applies no window when none is configured", () => {
    expect(checkTimeWindows({ command: "x", user: "u", policy: policySchema.parse({}) }, new Date(0)).allowed).toBe(true);
  });
});
