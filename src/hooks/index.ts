/** The hook pipeline: pre/post hooks, seven built-ins, external hook programs, backups. */
export {
  type BackupManifest,
  type BackupSummary,
  createBackup,
  listBackups,
  pruneBackups,
  type RestoreReport,
  restoreBackup,
} from "./backup/index.js";
export { type BuildHooksOptions, buildHooks, presetBuiltins, presetNames } from "./build.js";
export { createBackupHook } from "./builtin/backup.js";
export { createEnvironmentHook } from "./builtin/environment.js";
export { createGitHook } from "./builtin/git.js";
export { createLoggingHook } from "./builtin/logging.js";
export { createNotificationHook, deliver } from "./builtin/notification.js";
export { createPreflightHook } from "./builtin/preflight.js";
export { createResourceMonitorHook, startResourceMonitor } from "./builtin/resource-monitor.js";
export {
  type ExternalHookConfig,
  type HooksConfig,
  type HooksConfigInput,
  hooksConfigSchema,
  parseHooksConfig,
  roleHooksShape,
} from "./config.js";
export { hookEvent } from "./event.js";
export { compileMatcher } from "./matcher.js";
export { createExternalHook, EXIT_BLOCK, EXIT_CONTINUE } from "./external.js";
export { sampleProcessTree } from "./monitor/proc-tree.js";
export {
  createHookPipeline,
  describeHooks,
  type HookPipeline,
  type HookPipelineOptions,
  orderHooks,
  type PostHookResult,
  type PreHookResult,
} from "./pipeline.js";
export { BUILTIN_HOOK_NAMES, type BuiltinHookName, DEFAULT_PRESETS } from "./presets.js";
export type {
  Hook,
  HookAction,
  HookCommandInfo,
  HookCommandResult,
  HookContext,
  HookListRow,
  HookOutcome,
  HookPhase,
  HookRecord,
  HookRecordAction,
  HookResourceLimits,
  HookSource,
  ProcessMonitor,
  SpawnedProcess,
} from "./types.js";
