/**
 * The hook reads its event with blocking reads of fd 0. Real child processes: a pipe written in pieces, a file, no
 * input, and a non-blocking pipe (set by a Python parent, as some agent runners leave it), which must be read on
 * through the stream without losing what the first read got.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";

const READER = `import { readStdinText } from ${JSON.stringify(path.join(REPO_ROOT, "dist/src/claude/hook-input.js"))};
process.stdout.write(JSON.stringify(await readStdinText()));`;
const NODE_READER = [process.execPath, "--input-type=module", "-e", READER];
/** Sets O_NONBLOCK on its stdin, then becomes the reader. */
const NONBLOCKING = ["python3", "-c", "import fcntl, os, sys; fcntl.fcntl(0, fcntl.F_SETFL, fcntl.fcntl(0, fcntl.F_GETFL) | os.O_NONBLOCK); os.execvp(sys.argv[1], sys.argv[1:])", ...NODE_READER];

/** Runs `argv` with its stdin a pipe: writes `parts` with `gapMs` between them, then closes it. */
function readThroughPipe(argv: string[], parts: string[], gapMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (c: string) => (out += c));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out) as string) : reject(new Error(`reader exited ${code}`))));
    const write = (i: number) => {
      if (i === parts.length) return child.stdin.end();
      child.stdin.write(parts[i]!);
      setTimeout(() => write(i + 1), gapMs);
    };
    write(0);
  });
}

describe("readStdinText", () => {
  const event = JSON.stringify({ hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: `echo ${"é".repeat(40_000)}` } });
  const parts = [event.slice(0, 1000), event.slice(1000, 70_001), event.slice(70_001)];

  it("reads a pipe written in pieces, multi-byte characters across reads included", async () => {
    expect(await readThroughPipe(NODE_READER, parts, 50)).toBe(event);
  });

  it("reads a non-blocking pipe through to its end", async () => {
    expect(await readThroughPipe(NONBLOCKING, parts, 500)).toBe(event);
  });

  it("reads a file, and nothing from an empty stdin", () => {
    const file = path.join(tempDir("fb-stdin-"), "event.json");
    fs.writeFileSync(file, event);
    const fromFile = spawnSync(NODE_READER[0]!, NODE_READER.slice(1), { stdio: [fs.openSync(file, "r"), "pipe", "inherit"], encoding: "utf8" });
    expect(JSON.parse(fromFile.stdout)).toBe(event);
    const empty = spawnSync(NODE_READER[0]!, NODE_READER.slice(1), { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
    expect(JSON.parse(empty.stdout)).toBe("");
  });
});
