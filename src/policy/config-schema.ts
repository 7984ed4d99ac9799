import { z } from "zod";
import { PatternError, parseCommandPattern } from "./rules/pattern.js";
import { ALLOW_CEILINGS, EXECUTION_MODES, RISK_LEVELS } from "./types.js";

/**
 * zod schemas for the parts of the configuration the policy owns:
 * `[policy]` (rules, blacklist, rate limits, time windows, allow_critical_in_vm) and
 * `[roles.<name>]`. The lead merges them into the main config schema.
 *
 * @example
 * ```toml
 * [policy]
 * allow_critical_in_vm = false
 * blacklist = ["mkfs *", "rm -rf /"]
 * [[policy.rules]]
 * id = "no-force-push"
 * action = "deny"
 * pattern = ["git push --force *", "git push -f *"]
 * reason = "rewrites shared history"
 * match = ["git push --force origin main"]
 * not_match = ["git push origin main"]
 * [policy.rate_limits.deploy]
 * per_minute = 1
 * [policy.time_windows.deploy]
 * days = ["mon-fri"]
 * hours = "09:00-17:00"
 * timezone = "Europe/Berlin"
 *
 * [roles.developer]
 * permissions = ["read", "write", "execute", "network"]
 * risk_ceiling = "high"
 * execution_modes = ["local", "hybrid", "firecracker"]
 * ```
 */

/** Lower-cases strings before validation: config files write `High`, `Firecracker`. */
function caseInsensitive<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (typeof value === "string" ? value.trim().toLowerCase() : value), schema);
}

export const riskLevelSchema = caseInsensitive(z.enum(RISK_LEVELS));
export const executionModeSchema = caseInsensitive(z.enum(EXECUTION_MODES));
export const ruleActionSchema = caseInsensitive(z.enum(["allow", "ask", "deny"]));

/** A command pattern (see src/policy/rules/pattern.ts for the syntax), checked for syntax here. */
export const commandPatternSchema = z.string().superRefine((source, ctx) => {
  try {
    parseCommandPattern(source);
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    ctx.addIssue({ code: "custom", message: error.message });
  }
});

export const ruleSchema = z
  .strictObject({
  /** A name for messages; defaults to the rule's position ("#3"). */
  id: z.string().min(1).optional(),
  action: ruleActionSchema,
  /**
   * Allow rules only: a line whose every simple command an allow rule covers may run on the host up to
   * this risk (default medium) instead of `[policy] local_risk_ceiling`, when that is lower.
   */
  local_risk_ceiling: caseInsensitive(z.enum(ALLOW_CEILINGS)).optional(),
  /** One pattern or several alternatives. */
  pattern: z.union([commandPatternSchema, z.array(commandPatternSchema).min(1)]),
  reason: z.string().optional(),
  /** Shell lines this rule must decide (checked at load). */
  match: z.array(z.string()).default([]),
  /** Shell lines this rule must not decide (checked at load). */
  not_match: z.array(z.string()).default([]),
  })
  .superRefine((rule, ctx) => {
    if (rule.local_risk_ceiling !== undefined && rule.action !== "allow") {
      ctx.addIssue({ code: "custom", path: ["local_risk_ceiling"], message: `only an allow rule has a local_risk_ceiling (this rule's action is ${rule.action})` });
    }
  });

const count = z.number().int().positive();

/**
 * A token-bucket limit. Each `per_*` is its own bucket holding that many tokens and refilling
 * them evenly over the period; all must have a token for a run to be allowed. `burst` caps the
 * bucket of the shortest period (e.g. per_minute = 10, burst = 2: at most 2 back to back).
 * `scope = "user"` (default) gives every user their own buckets; `"global"` shares them.
 */
export const rateLimitSchema = z
  .strictObject({
    per_second: count.optional(),
    per_minute: count.optional(),
    per_hour: count.optional(),
    per_day: count.optional(),
    burst: count.optional(),
    scope: caseInsensitive(z.enum(["user", "global"])).default("user"),
  })
  .refine((limit) => [limit.per_second, limit.per_minute, limit.per_hour, limit.per_day].some((n) => n !== undefined), {
    message: "a rate limit needs at least one of per_second, per_minute, per_hour, per_day",
  });

/** `{ "<command name or *>": limit }`; `*` limits all commands together. */
export const rateLimitsSchema = z.record(z.string().min(1), rateLimitSchema);

const DAY_SPEC = /^(sun|mon|tue|wed|thu|fri|sat)(-(sun|mon|tue|wed|thu|fri|sat))?$/;
const HOUR_RANGE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * When something may run. Omitted parts do not restrict. `days`: "mon".."sun" or ranges
 * ("mon-fri", "fri-mon"). `hours`: "HH:MM-HH:MM" (end exclusive, "24:00" allowed), or a list;
 * a range crossing midnight ("22:00-06:00") belongs to the day it starts on. `timezone`: an IANA
 * name, default the host's zone.
 */
export const timeWindowSchema = z.strictObject({
  days: z.array(caseInsensitive(z.string().regex(DAY_SPEC, 'expected a day ("mon") or a range ("mon-fri")'))).min(1).optional(),
  hours: z
    .union([z.string(), z.array(z.string()).min(1)])
    .superRefine((value, ctx) => {
      for (const range of typeof value === "string" ? [value] : value) {
        const m = HOUR_RANGE.exec(range);
        if (!m) ctx.addIssue({ code: "custom", message: `'${range}' is not an hour range like "09:00-17:00"` });
        else if (m[3] === "24" && m[4] !== "00") ctx.addIssue({ code: "custom", message: `'${range}': the latest end is 24:00` });
        else if (`${m[1]}:${m[2]}` === `${m[3]}:${m[4]}`) ctx.addIssue({ code: "custom", message: `'${range}' is empty (start equals end)` });
      }
    })
    .optional(),
  timezone: z
    .string()
    .refine(isTimeZone, { message: "unknown IANA time zone" })
    .optional(),
});

/** `{ "<command name or *>": window }`; `*` applies to every command. */
export const timeWindowsSchema = z.record(z.string().min(1), timeWindowSchema);

/** The shape of `[policy]`, exported so other areas can `.extend` it. */
export const policyShape = {
  rules: z.array(ruleSchema).default([]),
  /** Patterns refused outright, on every parsed segment (same syntax as rules). */
  blacklist: z.array(commandPatternSchema).default([]),
  rate_limits: rateLimitsSchema.default({}),
  time_windows: timeWindowsSchema.default({}),
  /** Whether `hybrid` commands assessed critical may run in a microVM (else they are denied). */
  allow_critical_in_vm: z.boolean().default(false),
  /** The highest assessed risk that may run on the host (default low: anything riskier goes to a VM or is refused). */
  local_risk_ceiling: riskLevelSchema.default("low"),
};
export const policySchema = z.object(policyShape);

/**
 * The shape of `[roles.<name>]`, exported so other areas add their keys
 * (`roleSchema.extend({ hooks: ..., vm_type: ..., knowledge_graph: ... })`).
 * The role schema itself keeps unknown keys (loose) so sections added by other issues survive parsing.
 * Defaults fail closed: no permissions, risk ceiling "low".
 */
export const roleShape = {
  description: z.string().optional(),
  permissions: z.array(caseInsensitive(z.string().min(1))).default([]),
  risk_ceiling: riskLevelSchema.default("low"),
  execution_modes: z.array(executionModeSchema).min(1).default(["local", "hybrid", "firecracker"]),
  rate_limits: rateLimitsSchema.optional(),
  time_window: timeWindowSchema.optional(),
};
export const roleSchema = z.looseObject(roleShape);

export type PolicyRuleConfig = z.infer<typeof ruleSchema>;
export type RateLimitConfig = z.infer<typeof rateLimitSchema>;
export type TimeWindowConfig = z.infer<typeof timeWindowSchema>;
export type PolicyConfig = z.infer<typeof policySchema>;
export type RoleConfig = z.infer<typeof roleSchema>;
