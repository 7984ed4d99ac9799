export { CappedCapture, TRUNCATION_MARKER } from "./capture.js";
export { filterEnv } from "./env.js";
export { EXIT_TIMEOUT, type LocalExecRequest, type LocalExecResult, runLocal, SHELL_PATH, type SpawnedProcess } from "./local.js";
export type { ExecOutcome } from "./outcome.js";
