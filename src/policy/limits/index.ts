/** Public API of policy limits: token-bucket rate limits shared across processes, and time windows. */
export {
  type BucketSpec,
  bucketSpecs,
  describeLimit,
  PERIOD_MS,
  type Period,
  type TakeResult,
  takeToken,
} from "./token-bucket.js";
export {
  formatRetry,
  RATE_LIMIT_STATE_FILE,
  type RateLimitOutcome,
  type RateLimitRequest,
  type RateLimitResult,
  RateLimitStore,
  type RateLimitStoreOptions,
} from "./rate-limit-store.js";
export {
  type CompiledTimeWindow,
  checkTimeWindow,
  compileTimeWindow,
  hostTimeZone,
  isInsideTimeWindow,
  type TimeWindowCheck,
} from "./time-window.js";
export { ALL_COMMANDS, checkTimeWindows, type LimitSubject, rateLimitRequests, type TimeWindowsCheck } from "./resolve.js";
