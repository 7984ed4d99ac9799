import { readSync } from "node:fs";

const READ_CHUNK_BYTES = 64 * 1024;

/**
 * All of standard input as text: the event Claude Code writes to a hook before closing the pipe. Read with blocking
 * reads of fd 0, not through `process.stdin`, whose stream set-up cost every hook call ~10 ms. A non-blocking stdin
 * (a read answers EAGAIN) is read on through the stream, after what was already read.
 *
 * @example
 * const answer = await answerHookEvent(ctx, await readStdinText(), { cwd: process.cwd() });
 */
export async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EOF") break; // Windows: the end of a pipe
      if (code !== "EAGAIN") throw error;
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      break;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString("utf8");
}
