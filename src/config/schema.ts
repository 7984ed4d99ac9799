import { z } from "zod";
import { hooksConfigSchema, roleHooksShape } from "../hooks/config.js";
import { policySchema, roleSchema } from "../policy/config-schema.js";
import { vmConfigSchema, vmTypeSchema } from "../vm/config-schema.js";
import { alertsConfigSchema, poolConfigSchema } from "../vm/pool/config-schema.js";

/**
 * The configuration schema. Each section belongs to one pipeline stage; stages that are
 * still growing keep their section open (`looseObject`) until they own a strict schema.
 */

const execSchema = z.strictObject({
  /** Environment variables passed through to local commands (exact names or `PREFIX_*`). */
  env_allowlist: z
    .array(z.string())
    .default(["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_*", "TERM", "TZ", "TMPDIR", "NO_COLOR"]),
  /** Captured copy of stdout/stderr is capped at this many bytes each (live streaming is not). */
  output_cap_bytes: z.number().int().positive().default(1024 * 1024),
  /** Between SIGTERM and SIGKILL of the process group on timeout. */
  kill_grace_ms: z.number().int().nonnegative().default(2000),
});

const auditSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Directory of the JSONL log; default `$XDG_STATE_HOME/firebreak/audit`. */
  dir: z.string().optional(),
});

const commandsSchema = z.strictObject({
  /** Project command folder, relative to the project root. */
  project_dir: z.string().default(".firebreak/commands"),
  /** Extra folders, loaded between the user folder and the project folder. */
  extra_dirs: z.array(z.string()).default([]),
  /** Include the bundled example commands. */
  bundled: z.boolean().default(true),
});


export const configSchema = z.strictObject({
  /** Role used when `--role` is not given. */
  default_role: z.string().default("developer"),
  /** User name recorded in the audit log; default: the OS user. */
  user: z.string().optional(),
  roles: z
    .record(
      z.string(),
      roleSchema.extend(roleHooksShape).extend({
        /** A markdown folder or Terraphim thesaurus JSON, relative to the config file; default: the bundled graph. */
        knowledge_graph: z.string().optional(),
        /** Also require the command's concepts to be connected in the role graph. */
        kg_require_connected: z.boolean().default(false),
        /** A `[vm_types.<name>]` for this role's microVMs. */
        vm_type: z.string().optional(),
        /** What happens to this role's microVM runs' changes; overrides the command's and `[vm] apply_changes`. */
        apply_changes: z.enum(["ask", "auto", "never"]).optional(),
      }),
    )
    .default({}),
  commands: commandsSchema.default(commandsSchema.parse({})),
  exec: execSchema.default(execSchema.parse({})),
  audit: auditSchema.default(auditSchema.parse({})),
  policy: policySchema.default(policySchema.parse({})),
  hooks: hooksConfigSchema.prefault({}),
  vm: vmConfigSchema.prefault({}),
  vm_types: z.record(z.string(), vmTypeSchema).default({}),
  /** `firebreak claude hook`: `vm = true` does what `--vm` does (lines placed in a microVM run there through `firebreak sh`). */
  claude: z.strictObject({ vm: z.boolean().default(false) }).prefault({}),
  pool: poolConfigSchema.prefault({}),
  alerts: alertsConfigSchema.prefault({}),
});

export type FirebreakConfig = z.infer<typeof configSchema>;
