import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkTimeWindow, compileTimeWindow, isInsideTimeWindow } from "../../src/policy/limits/time-window.js";

const at = (iso: string) => new Date(iso);
const OFFICE = compileTimeWindow({ days: ["mon-fri"], hours: "09:00-17:00", timezone: "UTC" });

describe("checkTimeWindow", () => {
  it.each([
    ["2026-11-23T10:00:00Z", true], // Mon
    ["2026-11-23T09:00:00Z", true],
    ["2026-11-23T08:59:59Z", false],
    ["2026-11-23T17:00:00Z", false], // end is exclusive
    ["2026-11-27T16:59:59Z", true], // Fri
    ["2026-11-28T10:00:00Z", false], // Sat
  ])("office hours at %s -> %s", (iso, allowed) => {
    expect(checkTimeWindow(OFFICE, at(iso)).allowed).toBe(allowed);
  });

  it("says why and when it opens next", () => {
    const saturday = checkTimeWindow(OFFICE, at("2026-11-28T10:00:00Z"));
    expect(saturday.nextOpen?.toISOString()).toBe("2026-11-30T09:00:00.000Z");
    expect(saturday.reason).toBe(
      "outside the time window mon-fri 09:00-17:00 (UTC): it is Sat 2026-11-28 10:00; opens Mon 2026-11-30 09:00",
    );
    expect(checkTimeWindow(OFFICE, at("2026-11-23T17:00:00Z")).nextOpen?.toISOString()).toBe("2026-11-24T09:00:00.000Z");
    expect(checkTimeWindow(OFFICE, at("2026-11-23T08:59:30Z")).nextOpen?.toISOString()).toBe("2026-11-23T09:00:00.000Z");
    expect(checkTimeWindow(OFFICE, at("2026-11-23T10:00:00Z"))).toEqual({ allowed: true, reason: "" });
  });

  it("evaluates in the window's time zone", () => {
    const berlin = compileTimeWindow({ days: ["mon-fri"], hours: "09:00-17:00", timezone: "Europe/Berlin" });
    expect(checkTimeWindow(berlin, at("2026-11-23T08:30:00Z")).allowed).toBe(true); // 09:30 CET
    expect(checkTimeWindow(berlin, at("2026-11-23T16:30:00Z")).allowed).toBe(false); // 17:30 CET
    expect(checkTimeWindow(berlin, at("2026-11-23T07:00:00Z")).nextOpen?.toISOString()).toBe("2026-11-23T08:00:00.000Z");
    const tokyo = compileTimeWindow({ days: ["mon"], timezone: "Asia/Tokyo" });
    expect(checkTimeWindow(tokyo, at("2026-11-22T16:00:00Z")).allowed).toBe(true); // Mon 01:00 JST, Sun in UTC
  });

  it("gives a range crossing midnight to the day it starts on", () => {
    const fridayNight = compileTimeWindow({ days: ["fri"], hours: "22:00-06:00", timezone: "UTC" });
    expect(checkTimeWindow(fridayNight, at("2026-11-27T23:00:00Z")).allowed).toBe(true); // Fri 23:00
    expect(checkTimeWindow(fridayNight, at("2026-11-28T05:59:00Z")).allowed).toBe(true); // Sat 05:59
    expect(checkTimeWindow(fridayNight, at("2026-11-28T06:00:00Z")).allowed).toBe(false);
    expect(checkTimeWindow(fridayNight, at("2026-11-27T02:00:00Z")).allowed).toBe(false); // Fri 02:00: Thursday's night
    expect(checkTimeWindow(fridayNight, at("2026-11-28T23:00:00Z")).allowed).toBe(false); // Sat 23:00
    expect(checkTimeWindow(fridayNight, at("2026-11-28T06:00:00Z")).nextOpen?.toISOString()).toBe("2026-12-04T22:00:00.000Z");
  });

  it("handles wrapping day ranges, several hour ranges and whole days", () => {
    const weekend = compileTimeWindow({ days: ["sat-sun"], timezone: "UTC" });
    expect(checkTimeWindow(weekend, at("2026-11-29T23:59:00Z")).allowed).toBe(true); // Sun
    expect(checkTimeWindow(weekend, at("2026-11-30T00:00:00Z")).allowed).toBe(false); // Mon
    const friToMon = compileTimeWindow({ days: ["fri-mon"], timezone: "UTC" });
    expect(checkTimeWindow(friToMon, at("2026-11-30T12:00:00Z")).allowed).toBe(true); // Mon
    expect(checkTimeWindow(friToMon, at("2026-11-24T12:00:00Z")).allowed).toBe(false); // Tue
    const split = compileTimeWindow({ hours: ["08:00-09:00", "23:00-24:00"], timezone: "UTC" });
    expect(checkTimeWindow(split, at("2026-11-24T23:59:00Z")).allowed).toBe(true);
    expect(checkTimeWindow(split, at("2026-11-24T12:00:00Z")).nextOpen?.toISOString()).toBe("2026-11-24T23:00:00.000Z");
  });

  it("finds the opening across a daylight-saving jump without overshooting", () => {
    // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT, so 02:30 never happens and 03:00 is already inside.
    const early = compileTimeWindow({ hours: "02:30-05:00", timezone: "America/New_York" });
    const check = checkTimeWindow(early, at("2026-03-08T06:30:00Z")); // 01:30 EST
    expect(check.allowed).toBe(false);
    expect(check.nextOpen?.toISOString()).toBe("2026-03-08T07:00:00.000Z"); // 03:00 EDT
  });

  it("reports the first minute it opens (property, checked minute by minute)", () => {
    assertFirstOpening(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }));
  });

  it("reports the first minute it opens around daylight-saving changes (property)", () => {
    const transitions = ["2026-03-08T07:00Z", "2026-11-01T06:00Z", "2026-03-29T01:00Z", "2026-10-25T01:00Z", "2026-04-04T15:00Z", "2026-10-03T15:30Z"];
    const DAY_MS = 86_400_000;
    assertFirstOpening(
      fc.tuple(fc.constantFrom(...transitions), fc.integer({ min: -DAY_MS, max: DAY_MS })).map(([iso, delta]) => Date.parse(iso) + delta),
    );
  });
});

/** For random windows and instants: nextOpen is open, and no minute between now and it is. */
function assertFirstOpening(instants: fc.Arbitrary<number>): void {
  const zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Antarctica/Troll"];
  const hhmm = fc.integer({ min: 0, max: 1439 }).map((m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`);
  fc.assert(
    fc.property(
      fc.constantFrom(...zones),
      fc.subarray(["sun", "mon", "tue", "wed", "thu", "fri", "sat"], { minLength: 1 }),
      fc.tuple(hhmm, hhmm).filter(([a, b]) => a !== b),
      instants,
      (timezone, days, [start, end], nowMs) => {
        const window = compileTimeWindow({ days, hours: `${start}-${end}`, timezone });
        const now = new Date(nowMs);
        const check = checkTimeWindow(window, now);
        if (check.allowed) return;
        expect(check.nextOpen).toBeDefined();
        const open = check.nextOpen!.getTime();
        expect(isInsideTimeWindow(window, new Date(open))).toBe(true);
        for (let t = Math.floor(nowMs / 60_000) * 60_000 + 60_000; t < open; t += 60_000) {
          if (isInsideTimeWindow(window, new Date(t))) throw new Error(`open earlier, at ${new Date(t).toISOString()}`);
        }
      },
    ),
    { numRuns: 25 },
  );
}
