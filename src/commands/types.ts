import type { CompiledTemplate } from "./template.js";
import type { ExecutionMode, RiskLevel } from "../policy/types.js";

/** `path`: a path inside the working directory (relative; checked before anything runs). */
export const PARAMETER_TYPES = ["string", "number", "boolean", "array", "object", "path"] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface ParameterValidation {
  min?: number;
  max?: number;
  allowed_values?: unknown[];
  pattern?: string;
  /** A `path` parameter's value must exist in the working directory. */
  must_exist?: boolean;
}

export interface ParameterDefinition {
  name: string;
  type: ParameterType;
  required: boolean;
  description?: string;
  default_value?: unknown;
  /** Redacted in the audit log and in `--json` plans. */
  secret: boolean;
  validation: ParameterValidation;
}

export interface ResourceLimits {
  max_memory_mb?: number;
  /** CPU seconds. */
  max_cpu_time?: number;
  max_disk_mb?: number;
  network_access: boolean;
}

/** Which layer a definition came from; later layers override earlier ones. */
export type CommandLayer = "bundled" | "user" | "extra" | "project";

export interface DefinitionSource {
  file: string;
  layer: CommandLayer;
  /** sha256 of the file's bytes, recorded in the audit log. */
  sha256: string;
}

/** A validated command definition. */
export interface CommandDefinition {
  name: string;
  /** `namespace:name` when the file sits in a sub-folder or declares a namespace, else `name`. */
  qualifiedName: string;
  description: string;
  usage?: string;
  category?: string;
  version?: string;
  namespace?: string;
  aliases: string[];
  permissions: string[];
  knowledge_graph_required: string[];
  /** Seconds. */
  timeout?: number;
  risk_level: RiskLevel;
  execution_mode: ExecutionMode;
  parameters: ParameterDefinition[];
  resource_limits?: ResourceLimits;
  /** The shell template to run; absent = the command can be listed but not run. */
  command?: string;
  /** `command`, compiled when the definition was loaded (not enumerable: JSON views leave it out). */
  readonly template?: CompiledTemplate;
  /** A microVM run's outputs (relative globs): applied from its changeset without asking. */
  artifacts: string[];
  /** What happens to a microVM run's changes (a role's setting wins over it; it wins over `[vm] apply_changes`). */
  apply_changes?: "ask" | "auto" | "never";
  /** The markdown body after the frontmatter (documentation). */
  body: string;
  source: DefinitionSource;
}
