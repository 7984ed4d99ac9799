/**
 * `logging`: one structured JSON line per phase, to stderr and/or a JSONL file.
 *
 * @example
 * {"ts":"2026-11-23T10:00:00.000Z","hook_event_name":"PreCommand","invocation_id":"…","command":"backup-db",…}
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { LoggingConfig } from "../config.js";
import { hookEvent } from "../event.js";
import { builtinIdentity, } from "../presets.js";
import type { Hook } from "../types.js";

export interface LoggingHookDeps {
  /** Writes one line to stderr; default `process.stderr.write`. */
  writeStderr?: (line: string) => void;
  now?: () => Date;
}

/** Relative `file` paths resolve against the invocation's state directory. */
export function createLoggingHook(config: LoggingConfig, deps: LoggingHookDeps = {}): Hook {
  const writeStderr = deps.writeStderr ?? ((line: string) => void process.stderr.write(line));
  const now = deps.now ?? (() => new Date());
  return {
    ...builtinIdentity("logging", config),
    phases: ["pre", "post"],
    async run(ctx) {
      const line = `${JSON.stringify({ ts: now().toISOString(), ...hookEvent(ctx, { redact: !config.include_rendered }) })}\n`;
      if (config.stderr) writeStderr(line);
      const file = config.file ? resolve(ctx.stateDir, config.file) : undefined;
      if (file) {
        // One appendFile call = one O_APPEND write: concurrent invocations do not interleave lines. The folder is
        // made only when it is missing (once, normally), not before every line. Synchronous: one short line costs
        // less than open, write and close each going through the thread pool and back.
        const append = () => appendFileSync(file, line, { encoding: "utf8", mode: 0o600 });
        try {
          append();
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
          mkdirSync(dirname(file), { recursive: true });
          append();
        }
      }
      return { action: "continue" };
    },
  };
}
