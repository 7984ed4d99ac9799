export { AgentClient } from "./client.js";
export {
  type AgentClientOptions,
  type CallOptions,
  DEFAULT_MAX_COLLECT_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  EXEC_REPLY_GRACE_MS,
  type ExecOptions,
  type HelloOptions,
  type PutOptions,
  type ShutdownOptions,
} from "./client-options.js";
export { encodeFrame, FrameDecoder, type FrameSync, HELLO_SYNC } from "./frame-codec.js";
export {
  type AgentHello,
  DEFAULT_FRAME_LIMITS,
  type ExecRequest,
  type ExecResult,
  type ExecRlimits,
  execHeader,
  FRAME_PREFIX_BYTES,
  type Frame,
  type FrameHeader,
  type FrameLimits,
  INPUT_CHUNK_BYTES,
  INPUT_WINDOW_BYTES,
  MAX_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  PROTOCOL_VERSION,
  RESEED_MAX_BYTES,
} from "./protocol.js";
export { AGENT_BINARY_PATH, AGENT_SOURCE_DIR, ensureAgentBuilt } from "./binary.js";
export { parseWalkListing, type WalkEntry } from "./walk-listing.js";
