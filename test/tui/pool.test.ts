import { describe, expect, it } from "vitest";
import { NO_POOL_TEXT, parsePool, poolPanelText, poolStatus } from "../../src/tui/pool.js";
import { CANNED_POOL } from "./canned-pool.js";


describe("the pool, read defensively", () => {
  it("shows ready counts per VM type and firing alerts on the status line", () => {
    expect(poolStatus(parsePool(CANNED_POOL))).toBe("pool: default 2/2 · big 0/1 · 1 alert");
    expect(poolStatus(undefined)).toBe("pool: -");
    expect(poolStatus(parsePool({ enabled: false }))).toBe("pool: off");
  });

  it("the panel has ready / in use / queued, allocation latency and alerts", () => {
    const text = poolPanelText(parsePool(CANNED_POOL));
    expect(text).toMatch(/default\s+2\s+0\s+0\s+0\s+2\s+8\s+1\.2\/3\.1 ms/);
    expect(text).toMatch(/big\s+0\s+1\s+1\s+3\s+1\s+2\s+-/);
    expect(text).toContain("alert allocation_p95: firing since 2026-12-01T10:00:00Z — p95 over 50 ms");
    expect(poolPanelText(undefined)).toBe(NO_POOL_TEXT);
  });

  it("wrong types are left out, not trusted", () => {
    expect(parsePool("nonsense")).toBeUndefined();
    expect(parsePool([1, 2])).toBeUndefined();
    const odd = parsePool({ enabled: true, types: [{ name: 7, ready: "lots", allocate_ms: "x" }, null], alerts: "no" })!;
    expect(odd.types[0]).toMatchObject({ name: "?", ready: 0, allocate_ms: null });
    expect(odd.alerts).toEqual([]);
    expect(odd.capacity).toBeNull();
  });
});
