export { CappedCapture, TRUNCATION_MARKER } from "./capture.js";
export { filterEnv } from "./env.js";
export { type LocalExecRequest, type LocalExecResult, runLocal, SHELL_PATH, type SpawnedProcess } from "./local.js";
export { type ExecOutcome, exitStatusOf } from "./outcome.js";
