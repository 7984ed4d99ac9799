/**
 * The `[hooks]` configuration section.
 *
 * @example
 * ```toml
 * [hooks]
 * fail_closed_at = "high"
 * presets = { ci = ["logging", "preflight"] }
 *
 * [hooks.preflight]
 * deny = ["git push --force *", { pattern = ["rm -rf /", "rm -rf / *"], reason = "never" }]
 * allowed_dirs = ["~/src", "/work"]
 *
 * [hooks.notification]
 * webhooks = ["https://hooks.example.com/firebreak"]
 * commands = ["deploy", "/^db:/"]
 *
 * [[hooks.external]]
 * name = "no-friday-deploys"
 * program = "./hooks/no-friday.sh"
 * matcher = "/^deploy/"
 * phases = ["pre"]
 * ```
 */
import { z } from "zod";
import { ConfigError } from "../errors.js";
import { commandPatternSchema } from "../policy/config-schema.js";
import { RISK_LEVELS } from "../policy/types.js";
import { BUILTIN_HOOK_NAMES, DEFAULT_PRESETS, isBuiltinHookName } from "./presets.js";
import { HOOK_PHASES } from "./types.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOOK_NAME = /^[a-zA-Z][a-zA-Z0-9_.-]*$/;

const commonFields = {
  /** false removes the hook from every preset. */
  enabled: z.boolean().default(true),
  priority: z.number().int().optional(),
  timeout_ms: z.number().int().positive().optional(),
};

/** A command name, or `/regex/flags` tested against the command name. */
export const matcherSchema = z.string().min(1).superRefine((value, ctx) => {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(value);
  if (!m) return;
  try {
    new RegExp(m[1] ?? "", m[2]);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `invalid regular expression ${value}: ${(err as Error).message}` });
  }
});

const loggingSchema = z.strictObject({
  ...commonFields,
  /** Off by default: the command's own output shares stderr. */
  stderr: z.boolean().default(false),
  /** JSONL file; relative paths are resolved against the state directory; "" for none. */
  file: z.string().default("logs/hooks.jsonl"),
  /** The rendered script may contain secrets passed as parameters; off by default. */
  include_rendered: z.boolean().default(false),
});

/** The policy's command-pattern syntax (as `[policy] blacklist`), checked at load. */
const denyPatternSchema = z.union([
  commandPatternSchema,
  z.strictObject({
    /** One pattern or several alternatives. */
    pattern: z.union([commandPatternSchema, z.array(commandPatternSchema).min(1)]),
    reason: z.string().optional(),
  }),
]);

const preflightSchema = z.strictObject({
  ...commonFields,
  /** Command patterns, the `[policy] blacklist` syntax: `git push --force *`. */
  deny: z.array(denyPatternSchema).default([]),
  /** When non-empty, the working directory must be inside one of these (`~` expands; relative = workspace). */
  allowed_dirs: z.array(z.string().min(1)).default([]),
});

const environmentSchema = z.strictObject({
  ...commonFields,
  vars: z
    .record(z.string().regex(ENV_NAME, "not a valid environment variable name"), z.string())
    .default({})
    .refine((vars) => !Object.keys(vars).some((k) => k.startsWith("FIREBREAK_")), {
      message: "FIREBREAK_* variables are set by firebreak itself",
    }),
});

const backupSchema = z.strictObject({
  ...commonFields,
  /** Larger files are skipped (and named in the audit record). */
  max_file_mb: z.number().positive().default(100),
  /** Total size cap of one backup. */
  max_total_mb: z.number().positive().default(1024),
  /** Oldest backups beyond this count are deleted; 0 keeps all. */
  keep: z.number().int().nonnegative().default(50),
});

const resourceMonitorSchema = z.strictObject({
  ...commonFields,
  sample_interval_ms: z.number().int().min(10).default(100),
  /** Ceilings for every command; a command's own `resource_limits` can only be stricter. */
  max_memory_mb: z.number().positive().optional(),
  max_cpu_time: z.number().positive().optional(),
});

const webhookSchema = z.union([
  z.url(),
  z.strictObject({
    url: z.url(),
    /** HMAC-SHA256 key; the body signature goes in `X-Firebreak-Signature: sha256=<hex>`. */
    secret: z.string().min(1).optional(),
    headers: z.record(z.string(), z.string()).default({}),
  }),
]);

const notificationSchema = z.strictObject({
  ...commonFields,
  webhooks: z.array(webhookSchema).default([]),
  /** Important commands: names or `/regex/`. */
  commands: z.array(matcherSchema).default([]),
  /** Also notify for any command whose assessed risk is at least this. */
  min_risk: z.enum(RISK_LEVELS).optional(),
  phases: z.array(z.enum(HOOK_PHASES)).min(1).default(["post"]),
  request_timeout_ms: z.number().int().positive().default(5_000),
  retries: z.number().int().nonnegative().max(10).default(2),
  backoff_ms: z.number().int().nonnegative().default(250),
  include_rendered: z.boolean().default(false),
});

const gitSchema = z.strictObject({
  ...commonFields,
  /** Store uncommitted work (tracked and untracked) as a commit under refs/firebreak/. */
  auto_snapshot: z.boolean().default(false),
});

const externalHookSchema = z.strictObject({
  name: z.string().regex(HOOK_NAME, "hook names start with a letter: letters, digits, _ . -"),
  /** Path (relative paths resolve against the config's directory) or a name looked up in PATH. */
  program: z.string().min(1),
  args: z.array(z.string()).default([]),
  matcher: matcherSchema.optional(),
  phases: z.array(z.enum(HOOK_PHASES)).min(1).default(["pre"]),
  timeout_ms: z.number().int().positive().default(10_000),
  priority: z.number().int().default(0),
  /** Presets this hook joins; default: all. */
  presets: z.array(z.string()).optional(),
  enabled: z.boolean().default(true),
  env: z.record(z.string().regex(ENV_NAME), z.string()).default({}),
});

/**
 * The role's key for its hook preset, for `roleSchema.extend(roleHooksShape)`:
 * `[roles.ops] hooks = "production"`. Absent means "default".
 */
export const roleHooksShape = {
  hooks: z.string().regex(HOOK_NAME, "a hook preset name").optional(),
};

export const hooksConfigSchema = z
  .strictObject({
    /** Pre-hook errors and timeouts block commands at or above this risk; below it they warn. */
    fail_closed_at: z.enum(RISK_LEVELS).default("high"),
    /** Replace a preset's list of built-ins, or define a new preset. */
    presets: z.record(z.string().regex(HOOK_NAME), z.array(z.string())).default({}),
    logging: loggingSchema.prefault({}),
    preflight: preflightSchema.prefault({}),
    environment: environmentSchema.prefault({}),
    backup: backupSchema.prefault({}),
    "resource-monitor": resourceMonitorSchema.prefault({}),
    notification: notificationSchema.prefault({}),
    git: gitSchema.prefault({}),
    external: z.array(externalHookSchema).default([]),
  })
  .superRefine((cfg, ctx) => {
    for (const [preset, names] of Object.entries(cfg.presets)) {
      names.forEach((name, i) => {
        if (!isBuiltinHookName(name)) {
          ctx.addIssue({
            code: "custom",
            path: ["presets", preset, i],
            message: `unknown built-in hook ${name} (known: ${BUILTIN_HOOK_NAMES.join(", ")}); external hooks choose presets with their own 'presets' key`,
          });
        }
      });
    }
    const presetNames = new Set([...Object.keys(DEFAULT_PRESETS), ...Object.keys(cfg.presets)]);
    const names = new Set<string>();
    cfg.external.forEach((hook, i) => {
      if (isBuiltinHookName(hook.name) || names.has(hook.name)) {
        ctx.addIssue({ code: "custom", path: ["external", i, "name"], message: `hook name ${hook.name} is already taken` });
      }
      names.add(hook.name);
      for (const p of hook.presets ?? []) {
        if (!presetNames.has(p)) {
          ctx.addIssue({ code: "custom", path: ["external", i, "presets"], message: `unknown preset ${p}` });
        }
      }
    });
  });

export type HooksConfig = z.output<typeof hooksConfigSchema>;
export type HooksConfigInput = z.input<typeof hooksConfigSchema>;
export type ExternalHookConfig = HooksConfig["external"][number];
export type NotificationConfig = HooksConfig["notification"];
export type PreflightConfig = HooksConfig["preflight"];
export type LoggingConfig = HooksConfig["logging"];
export type BackupConfig = HooksConfig["backup"];
export type ResourceMonitorConfig = HooksConfig["resource-monitor"];
export type GitConfig = HooksConfig["git"];
export type EnvironmentConfig = HooksConfig["environment"];

/** Parses a raw `[hooks]` table, throwing a ConfigError that names the field. */
export function parseHooksConfig(raw: unknown, file?: string): HooksConfig {
  const parsed = hooksConfigSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = ["hooks", ...(issue?.path ?? [])].join(".");
  throw new ConfigError(issue?.message ?? "invalid [hooks] section", { file, field }, { cause: parsed.error });
}
