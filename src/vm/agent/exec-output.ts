import { AgentProtocolError } from "../../errors.js";
import { num } from "./client-support.js";
import type { ExecResult, Frame, FrameHeader } from "./protocol.js";

/**
 * The output side of one exec: streams `output` frames to the caller's callbacks, keeps up to
 * `maxCollect` bytes per stream when asked, and turns the agent's `exit` header into an ExecResult.
 */
export class ExecOutput {
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  private outLen = 0;
  private errLen = 0;

  constructor(
    private readonly maxCollect: number,
    private readonly onStdout?: (chunk: Buffer) => void,
    private readonly onStderr?: (chunk: Buffer) => void,
  ) {}

  push(frame: Frame): void {
    const stream = frame.header.stream;
    if (stream !== "stdout" && stream !== "stderr") throw new AgentProtocolError("output frame with a bad 'stream'");
    const isOut = stream === "stdout";
    (isOut ? this.onStdout : this.onStderr)?.(frame.payload);
    if (this.maxCollect <= 0) return;
    const take = frame.payload.subarray(0, Math.max(0, this.maxCollect - (isOut ? this.outLen : this.errLen)));
    if (!take.length) return;
    if (isOut) {
      this.out.push(take);
      this.outLen += take.length;
    } else {
      this.err.push(take);
      this.errLen += take.length;
    }
  }

  /** The result of an `exit` frame; signal names from the agent get their `SIG` prefix. */
  result(h: FrameHeader, aborted: boolean): ExecResult {
    const result: ExecResult = {
      exitCode: typeof h.code === "number" ? h.code : null,
      signal: typeof h.signal === "string" ? (/^\d+$/.test(h.signal) ? h.signal : `SIG${h.signal}`) : null,
      durationMs: num(h, "duration_ms"),
      timedOut: h.timed_out === true,
      aborted,
      stdoutBytes: num(h, "stdout_bytes"),
      stderrBytes: num(h, "stderr_bytes"),
    };
    if (this.maxCollect > 0) {
      result.stdout = Buffer.concat(this.out);
      result.stderr = Buffer.concat(this.err);
    }
    return result;
  }
}
