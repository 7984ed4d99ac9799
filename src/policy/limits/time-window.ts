import type { TimeWindowConfig } from "../config-schema.js";

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * Time windows: when a role or command may run. Evaluated in the window's IANA time zone with
 * Intl.DateTimeFormat (no extra package), so daylight-saving changes are the zone's own.
 * A range crossing midnight ("22:00-06:00") belongs to the day it starts on: with days = ["fri"],
 * Saturday 02:00 is inside and Friday 02:00 is not.
 */

const MINUTES_PER_DAY = 1_440;
const MINUTE_MS = 60_000;
/** The largest daylight-saving shift in use (Antarctica/Troll: 2 h); the search never jumps past an opening. */
const MAX_DST_SHIFT_MINUTES = 120;
const SEARCH_LIMIT_STEPS = 1_000;

interface MinuteRange {
  start: number;
  end: number;
}

export interface CompiledTimeWindow {
  /** Allowed weekdays, 0 = Sunday; undefined = every day. */
  days?: ReadonlySet<number>;
  /** Allowed ranges in minutes of the day, end exclusive; undefined = all day. */
  ranges?: readonly MinuteRange[];
  timeZone: string;
  /** "mon-fri 09:00-17:00 (Europe/Berlin)". */
  description: string;
  formatter: Intl.DateTimeFormat;
}

export interface TimeWindowCheck {
  allowed: boolean;
  /** Why it is refused ("" when allowed). */
  reason: string;
  /** When the window opens next (only when refused). */
  nextOpen?: Date;
}

function parseDays(specs: readonly string[]): Set<number> {
  const days = new Set<number>();
  for (const spec of specs) {
    const [from, to = from] = spec.toLowerCase().split("-") as [string, string?];
    const start = WEEKDAYS.indexOf(from as (typeof WEEKDAYS)[number]);
    const end = WEEKDAYS.indexOf(to as (typeof WEEKDAYS)[number]);
    if (start < 0 || end < 0) throw new RangeError(`'${spec}' is not a day or a day range`);
    for (let d = start; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === end) break;
    }
  }
  return days;
}

function parseRange(range: string): MinuteRange {
  const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(range);
  if (!m) throw new RangeError(`'${range}' is not an hour range like "09:00-17:00"`);
  const [, h1, m1, h2, m2] = m.map(Number) as [number, number, number, number, number];
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  if (start >= MINUTES_PER_DAY || end > MINUTES_PER_DAY || start === end || m1 > 59 || m2 > 59) {
    throw new RangeError(`'${range}' is not a valid hour range`);
  }
  return { start, end };
}

/** The host's time zone, the default for windows that name none. */
export function hostTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * Compiles a (schema-validated) window. Throws RangeError on values the schema would reject.
 *
 * @example compileTimeWindow({ days: ["mon-fri"], hours: "09:00-17:00", timezone: "Europe/Berlin" })
 */
export function compileTimeWindow(config: TimeWindowConfig): CompiledTimeWindow {
  const timeZone = config.timezone ?? hostTimeZone();
  const formatter = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const hours = config.hours === undefined ? undefined : typeof config.hours === "string" ? [config.hours] : config.hours;
  const parts = [config.days?.join(",") ?? "every day", hours?.join(",") ?? "all day"];
  return {
    ...(config.days ? { days: parseDays(config.days) } : {}),
    ...(hours ? { ranges: hours.map(parseRange) } : {}),
    timeZone,
    description: `${parts.join(" ")} (${timeZone})`,
    formatter,
  };
}

interface LocalTime {
  weekday: number;
  minute: number;
  text: string;
}

const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function localTime(window: CompiledTimeWindow, at: Date): LocalTime {
  const parts = Object.fromEntries(window.formatter.formatToParts(at).map((p) => [p.type, p.value]));
  const weekday = WEEKDAY_INDEX[parts.weekday ?? ""];
  if (weekday === undefined) throw new RangeError(`cannot read the weekday of ${at.toISOString()} in ${window.timeZone}`);
  const minute = Number(parts.hour) * 60 + Number(parts.minute);
  return { weekday, minute, text: `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}` };
}

function dayAllowed(window: CompiledTimeWindow, weekday: number): boolean {
  return window.days === undefined || window.days.has(((weekday % 7) + 7) % 7);
}

/** Whether a wall-clock (weekday, minute of day) is inside the window. */
function allowedAtWall(window: CompiledTimeWindow, weekday: number, minute: number): boolean {
  if (window.ranges === undefined) return dayAllowed(window, weekday);
  return window.ranges.some(({ start, end }) => {
    if (start < end) return minute >= start && minute < end && dayAllowed(window, weekday);
    // Crossing midnight: the late part belongs to this day, the early part to the day before.
    return (minute >= start && dayAllowed(window, weekday)) || (minute < end && dayAllowed(window, weekday - 1));
  });
}

/** Wall-clock minutes from (weekday, minute) to the next allowed minute, ignoring DST; Infinity if never. */
function wallMinutesUntilOpen(window: CompiledTimeWindow, weekday: number, minute: number): number {
  for (let k = 1; k <= 8 * MINUTES_PER_DAY; k++) {
    const total = minute + k;
    if (allowedAtWall(window, weekday + Math.floor(total / MINUTES_PER_DAY), total % MINUTES_PER_DAY)) return k;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * Whether an instant is inside the window (cheap: no search for the next opening).
 *
 * @example isInsideTimeWindow(compileTimeWindow({ days: ["sat-sun"], timezone: "UTC" }), new Date("2026-11-28T10:00Z")) // true
 */
export function isInsideTimeWindow(window: CompiledTimeWindow, at: Date): boolean {
  const local = localTime(window, at);
  return allowedAtWall(window, local.weekday, local.minute);
}

/**
 * Is `now` inside the window? If not, says why and when it opens next (to the minute).
 *
 * @example checkTimeWindow(compileTimeWindow({ days: ["mon-fri"], hours: "09:00-17:00", timezone: "UTC" }),
 *   new Date("2026-11-28T10:00:00Z")) // Saturday: { allowed: false, nextOpen: 2026-11-30T09:00Z, ... }
 */
export function checkTimeWindow(window: CompiledTimeWindow, now: Date): TimeWindowCheck {
  const local = localTime(window, now);
  if (allowedAtWall(window, local.weekday, local.minute)) return { allowed: true, reason: "" };
  const nextOpen = findNextOpen(window, now);
  const opens = nextOpen ? `; opens ${localTime(window, nextOpen).text}` : "";
  return {
    allowed: false,
    reason: `outside the time window ${window.description}: it is ${local.text}${opens}`,
    ...(nextOpen ? { nextOpen } : {}),
  };
}

function findNextOpen(window: CompiledTimeWindow, now: Date): Date | undefined {
  let t = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  for (let step = 0; step < SEARCH_LIMIT_STEPS; step++) {
    const local = localTime(window, new Date(t));
    if (allowedAtWall(window, local.weekday, local.minute)) return new Date(t);
    const wall = wallMinutesUntilOpen(window, local.weekday, local.minute);
    if (!Number.isFinite(wall)) return undefined;
    // Real time to the opening differs from wall time by at most one DST shift: never overshoot.
    t += Math.max(1, wall - MAX_DST_SHIFT_MINUTES) * MINUTE_MS;
  }
  return undefined;
}
