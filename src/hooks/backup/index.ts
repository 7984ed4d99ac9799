export { expandGlob, hasGlob, MAX_GLOB_MATCHES } from "./glob.js";
export {
  type BackupEntry,
  type BackupManifest,
  type BackupRequest,
  type BackupSummary,
  backupsDir,
  createBackup,
  listBackups,
  pruneBackups,
  type RestoreReport,
  readManifest,
  restoreBackup,
  sha256File,
} from "./store.js";
export { type PathTarget, type ResolvedTargets, resolveTargets, type WordTarget, wordTargets } from "./targets.js";
