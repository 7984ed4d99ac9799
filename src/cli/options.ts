import { UsageError } from "../errors.js";

/** Parses `audit tail -n`: a positive whole number of records. */
export function recordCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`-n must be a positive whole number, got '${value}'`);
  return n;
}
