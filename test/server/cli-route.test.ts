import { describe, expect, it } from "vitest";
import { decodeFrames, encodeFrame, exitFrame, MAX_FRAME_BYTES } from "../../src/api/cli-frames.js";
import { testApp } from "./helpers.js";

const NO_TTY = { stdin: false, stdout: false, stderr: false };

/** POST /v1/cli and the frames it answers: stdout, stderr, exit status, and whether it was accepted or passed back. */
async function relay(app: ReturnType<typeof testApp>, body: Record<string, unknown>) {
  const res = await app.post("/v1/cli", { cwd: app.project, env: app.env, tty: NO_TTY, ...body });
  const frames = decodeFrames(Buffer.from(await res.arrayBuffer()));
  const text = (type: string) => Buffer.concat(frames.filter((f) => f.type === type).map((f) => f.payload)).toString("utf8");
  const exit = frames.find((f) => f.type === "x");
  return { status: res.status, contentType: res.headers.get("content-type"), types: frames.map((f) => f.type), stdout: text("o"), stderr: text("e"), fallback: text("f"), code: exit?.payload.readInt32BE(0) };
}

describe("POST /v1/cli (the native launcher's relay, through app.request)", () => {
  it("renders a call as the lean client does: accepted, output frames, then the exit status", async () => {
    const app = testApp();
    const run = await relay(app, { argv: ["run", "hello-world", "--name", "Ada", "--greeting", "hi"] });
    expect(run).toMatchObject({ status: 200, contentType: "application/vnd.firebreak.cli-frames", stdout: "hi, Ada!\n", code: 0 });
    expect(run.types[0]).toBe("r");
    expect(run.types.at(-1)).toBe("x");
    expect(run.stderr).toContain("via daemon");
    const denied = await relay(app, { argv: ["policy", "check", "--", "rm -rf ~"] });
    expect(denied).toMatchObject({ code: 77, stdout: expect.stringMatching(/^denied · risk critical/) });
    const json = await relay(app, { argv: ["policy", "check", "--json", "--", "git status"] });
    expect(JSON.parse(json.stdout)).toMatchObject({ line: "git status", placement: "local" });
    const unknown = await relay(app, { argv: ["run", "nonexistent"] });
    expect(unknown).toMatchObject({ code: 2, stdout: "", stderr: expect.stringContaining("nonexistent") });
  });

  it("answers a Claude Code hook event sent as the caller's stdin", async () => {
    const app = testApp();
    const event = { hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "rm -rf ~" }, cwd: app.project, session_id: "s" };
    const hook = await relay(app, { argv: ["claude", "hook"], stdin_base64: Buffer.from(JSON.stringify(event)).toString("base64") });
    expect(hook.code).toBe(0);
    expect(JSON.parse(hook.stdout)).toMatchObject({ hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny" } });
  });

  it("passes back (one f frame, nothing run) what it must not relay", async () => {
    const app = testApp();
    const cases = [
      { argv: ["vm", "image", "build"] }, // not a lean-client call
      { argv: ["run", "hello-world"], tty: { stdin: true, stdout: true, stderr: true } }, // may ask on the terminal
      { argv: ["claude", "hook"] }, // reads stdin, none sent
      { argv: ["policy", "check", "--stdin"] },
      { argv: ["--no-daemon", "run", "hello-world"] },
      { argv: ["run", "hello-world"], env: { ...app.env, FIREBREAK_DAEMON: "off" } },
    ];
    for (const body of cases) {
      const answer = await relay(app, body);
      expect({ body, types: answer.types }).toEqual({ body, types: ["f"] });
      expect(answer.fallback).not.toBe("");
    }
    // Nothing ran: no audit record of hello-world.
    const tail = await relay(app, { argv: ["audit", "tail", "--json"] });
    expect(JSON.parse(tail.stdout)).toEqual([]);
  });

  it("relays a call that never asks (audit verify) on a terminal, coloured as the caller's terminal, unless NO_COLOR", async () => {
    const app = testApp();
    const tty = { stdin: true, stdout: true, stderr: true };
    const { NO_COLOR: _, ...colourEnv } = app.env;
    const coloured = await relay(app, { argv: ["audit", "verify"], tty, env: colourEnv });
    expect(coloured).toMatchObject({ code: 0, stdout: expect.stringContaining("\x1b[32mok\x1b[0m") });
    const plain = await relay(app, { argv: ["audit", "verify"], tty, env: { ...app.env, NO_COLOR: "1" } });
    expect(plain.stdout).toMatch(/^ok: /);
    expect((await relay(app, { argv: ["audit", "verify"], env: colourEnv })).stdout).toMatch(/^ok: /);
  });

  it("refuses a bad body with 400 naming the field", async () => {
    const app = testApp();
    const res = await app.post("/v1/cli", { argv: ["run"], cwd: "relative", env: {}, tty: NO_TTY });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("cwd");
  });
});

describe("CLI frames", () => {
  it("round-trip, and long output splits below the launcher's frame limit", () => {
    const big = Buffer.alloc(MAX_FRAME_BYTES * 2 + 3, 0x61);
    const frames = decodeFrames(Buffer.concat([encodeFrame("r"), encodeFrame("o", big), exitFrame(-1)]));
    expect(frames.map((f) => [f.type, f.payload.length])).toEqual([["r", 0], ["o", MAX_FRAME_BYTES], ["o", MAX_FRAME_BYTES], ["o", 3], ["x", 4]]);
    expect(frames.at(-1)!.payload.readInt32BE(0)).toBe(-1);
  });
});
