import type { PolicyConfig, RateLimitConfig, RoleConfig, TimeWindowConfig } from "../config-schema.js";
import type { RateLimitRequest } from "./rate-limit-store.js";
import { type CompiledTimeWindow, checkTimeWindow, compileTimeWindow } from "./time-window.js";

/** `*` in `rate_limits` / `time_windows`: all commands (rate limits: counted together). */
export const ALL_COMMANDS = "*";

/** Who runs what, under which role, for looking up limits. */
export interface LimitSubject {
  /** The command's full name (`db:migrate`); the lead picks a name for ad-hoc shell lines. */
  command: string;
  user: string;
  role?: { name: string; config: Pick<RoleConfig, "rate_limits" | "time_window"> };
  policy: Pick<PolicyConfig, "rate_limits" | "time_windows">;
}

function keyPart(value: string): string {
  return encodeURIComponent(value);
}

/**
 * The rate limits that apply to a run, as requests for {@link RateLimitStore.consumeAll}:
 * `[policy.rate_limits]` and the role's `rate_limits`, each for the command's own entry and for `*`
 * (one bucket for all commands together). Per user unless the limit says `scope = "global"`.
 *
 * @example rateLimitRequests({ command: "deploy", user: "alice", policy: { rate_limits: { deploy: { per_minute: 1, scope: "user" } }, time_windows: {} } })
 *   // [{ key: "policy|cmd:deploy|user:alice", subject: "deploy by alice", limit: ... }]
 */
export function rateLimitRequests(subject: LimitSubject): RateLimitRequest[] {
  const sources: Array<{ source: string; label: string; limits: Record<string, RateLimitConfig> | undefined }> = [
    { source: "policy", label: "", limits: subject.policy.rate_limits },
  ];
  if (subject.role) {
    sources.push({ source: `role:${keyPart(subject.role.name)}`, label: ` (role ${subject.role.name})`, limits: subject.role.config.rate_limits });
  }
  const requests: RateLimitRequest[] = [];
  for (const { source, label, limits } of sources) {
    for (const name of [subject.command, ALL_COMMANDS]) {
      const limit = limits?.[name];
      if (!limit) continue;
      const what = name === ALL_COMMANDS ? "all commands" : name;
      const perUser = limit.scope !== "global";
      requests.push({
        key: `${source}|${name === ALL_COMMANDS ? "all" : `cmd:${keyPart(name)}`}|${perUser ? `user:${keyPart(subject.user)}` : "global"}`,
        limit,
        subject: `${what}${perUser ? ` by ${subject.user}` : " (all users)"}${label}`,
      });
    }
  }
  return requests;
}

export interface TimeWindowsCheck {
  allowed: boolean;
  reasons: string[];
  /** The latest opening among the closed windows: the earliest time worth retrying. */
  nextOpen?: Date;
}

/**
 * Checks every time window that applies: `[policy.time_windows]` for the command and for `*`,
 * and the role's `time_window`. All must be open.
 *
 * @example checkTimeWindows({ command: "deploy", user: "alice", policy }, new Date()).allowed
 */
export function checkTimeWindows(subject: LimitSubject, now: Date): TimeWindowsCheck {
  const windows: Array<{ label: string; config: TimeWindowConfig }> = [];
  for (const name of [subject.command, ALL_COMMANDS]) {
    const config = subject.policy.time_windows?.[name];
    if (config) windows.push({ label: name === ALL_COMMANDS ? "all commands" : name, config });
  }
  if (subject.role?.config.time_window) windows.push({ label: `role ${subject.role.name}`, config: subject.role.config.time_window });

  const reasons: string[] = [];
  let nextOpen: Date | undefined;
  for (const { label, config } of windows) {
    const compiled: CompiledTimeWindow = compileTimeWindow(config);
    const check = checkTimeWindow(compiled, now);
    if (check.allowed) continue;
    reasons.push(`${label}: ${check.reason}`);
    if (check.nextOpen && (!nextOpen || check.nextOpen > nextOpen)) nextOpen = check.nextOpen;
  }
  return { allowed: reasons.length === 0, reasons, ...(nextOpen ? { nextOpen } : {}) };
}
