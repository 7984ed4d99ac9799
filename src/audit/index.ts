export { checkLine, GENESIS_HASH, sealRecord } from "./chain.js";
export { AUDIT_FILE, AuditLog, redactParameters } from "./log.js";
export type { AuditEntry, AuditRecord, VerifyReport } from "./types.js";
