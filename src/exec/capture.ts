export const TRUNCATION_MARKER = "\n[firebreak: output truncated]\n";

/** Keeps the first `capBytes` bytes of a stream and counts all of them. */
export class CappedCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  total = 0;

  constructor(private readonly capBytes: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.capBytes - this.kept;
    if (room <= 0) return;
    const piece = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(piece);
    this.kept += piece.length;
  }

  get truncated(): boolean {
    return this.total > this.kept;
  }

  /** The captured text, with a marker when bytes were dropped. */
  text(): string {
    const body = Buffer.concat(this.chunks).toString("utf8");
    return this.truncated ? body + TRUNCATION_MARKER : body;
  }
}
