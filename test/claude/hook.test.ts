import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { answerHookEvent, protectedPathReason } from "../../src/claude/hook.js";
import { viaFirebreakSh } from "../../src/claude/hook-protocol.js";
import { createFirebreak } from "../../src/firebreak.js";
import type { VmRunner } from "../../src/vm/run-request.js";
import { isolatedEnv, REPO_ROOT, tempDir, writeTree } from "../helpers/tmp.js";

/** A VM backend that is there (so medium-risk lines are placed in a microVM) but is never asked to run. */
const availableVm: VmRunner = {
  availability: async () => ({ available: true, reason: "test", backend: "qemu" }),
  run: async () => {
    throw new Error("the hook never runs anything");
  },
};

const ASK_ECHO = '[[policy.rules]]\nid = "confirm-echo"\naction = "ask"\npattern = "echo *"\nmatch = ["echo hi"]\n';

async function setup(toml = ASK_ECHO) {
  const home = tempDir("fb-home-");
  const project = tempDir("fb-proj-");
  writeTree(project, { "firebreak.toml": toml });
  const ctx = await createFirebreak({ cwd: project, env: isolatedEnv(home) }, { vm: () => availableVm });
  /** A recorded event (test/fixtures/claude/), moved into this test's project. */
  const event = (name: string) => fs.readFileSync(path.join(REPO_ROOT, "test/fixtures/claude", `${name}.json`), "utf8").replaceAll("/work/project", project);
  const answer = (input: string, vm = false) => answerHookEvent(ctx, input, { cwd: project, vm });
  return { ctx, project, home, event, answer };
}

describe("firebreak claude hook (answers from the engine)", () => {
  it("allows a line the policy runs on the host, denies one it refuses, asks for an ask rule", async () => {
    const { event, answer } = await setup();
    expect((await answer(event("pre-bash-git-status"))).output?.hookSpecificOutput).toMatchObject({ hookEventName: "PreToolUse", permissionDecision: "allow" });
    const deny = (await answer(event("pre-bash-rm-rf-home"))).output?.hookSpecificOutput;
    expect(deny).toMatchObject({ permissionDecision: "deny", permissionDecisionReason: expect.stringContaining("deletes a critical path: ~") });
    expect(deny?.updatedInput).toBeUndefined();
    const ask = (await answer(event("pre-bash-echo-ask"))).output?.hookSpecificOutput;
    expect(ask).toMatchObject({ permissionDecision: "ask", permissionDecisionReason: expect.stringContaining("asks for confirmation") });
  });

  it("a line placed in a microVM: ask without --vm; with --vm allowed, rewritten to run through firebreak sh", async () => {
    const { event, answer } = await setup();
    expect((await answer(event("pre-bash-npm-install"))).output?.hookSpecificOutput).toMatchObject({ permissionDecision: "ask" });
    const rewritten = (await answer(event("pre-bash-npm-install"), true)).output?.hookSpecificOutput;
    expect(rewritten).toMatchObject({
      permissionDecision: "allow",
      // The whole input is replaced: the tool's other fields are kept.
      updatedInput: { command: "firebreak sh -- 'npm install'", description: "Install dependencies", timeout: 120000 },
    });
    // A line on the host is never rewritten, a denied one never allowed.
    expect((await answer(event("pre-bash-git-status"), true)).output?.hookSpecificOutput.updatedInput).toBeUndefined();
    expect((await answer(event("pre-bash-rm-rf-home"), true)).output?.hookSpecificOutput.permissionDecision).toBe("deny");
    expect((await answer(event("pre-bash-echo-ask"), true)).output?.hookSpecificOutput.permissionDecision).toBe("ask");
  });

  it("[claude] vm = true in the configuration does what --vm does", async () => {
    const { event, answer } = await setup(`${ASK_ECHO}[claude]\nvm = true\n`);
    expect((await answer(event("pre-bash-npm-install"))).output?.hookSpecificOutput).toMatchObject({ permissionDecision: "allow", updatedInput: { command: "firebreak sh -- 'npm install'" } });
  });

  it("quotes the rewritten line so the shell hands firebreak sh exactly the line", () => {
    expect(viaFirebreakSh("echo 'a b' $HOME")).toBe(`firebreak sh -- 'echo '\\''a b'\\'' $HOME'`);
  });

  it("denies Write/Edit to protected paths (also through a symlink) and has no opinion on other files", async () => {
    const { event, answer, project } = await setup();
    const deny = (await answer(event("pre-write-git-hook"))).output?.hookSpecificOutput;
    expect(deny).toMatchObject({ permissionDecision: "deny", permissionDecisionReason: expect.stringContaining(".git/hooks/") });
    expect(await answer(event("pre-edit-readme"))).toEqual({ output: null });
    for (const file of [".firebreak/commands/x.md", "firebreak.toml", "sub/firebreak.toml", ".claude/settings.json"]) {
      expect({ file, reason: protectedPathReason(path.join(project, file)) }).toMatchObject({ file, reason: expect.any(String) });
    }
    fs.mkdirSync(path.join(project, ".git/hooks"), { recursive: true });
    fs.symlinkSync(path.join(project, ".git/hooks"), path.join(project, "innocent"));
    const viaLink = event("pre-write-git-hook").replace(".git/hooks/pre-commit", "innocent/pre-commit");
    expect((await answer(viaLink)).output?.hookSpecificOutput.permissionDecision).toBe("deny");
  });

  it("records PostToolUse in the audit log and prints nothing", async () => {
    const { ctx, event, answer } = await setup();
    expect(await answer(event("post-bash-git-status"))).toEqual({ output: null });
    const [record] = ctx.audit!.tail(1);
    expect(record).toMatchObject({ kind: "agent_tool", id: "toolu_01A1", rendered: "git status", placement: "none", extra: { agent: "claude-code", event: "PostToolUse", tool_name: "Bash", interrupted: false } });
    expect(JSON.stringify(record)).not.toContain("On branch main"); // the tool's output is not recorded
    expect(ctx.audit!.verify().ok).toBe(true);
  });

  it("fails closed: malformed input answers ask with the field named, never throws", async () => {
    const { answer, event } = await setup();
    const cases: [string, string][] = [
      ["not json", "not JSON"],
      ["[1]", "not a JSON object"],
      ["{}", "field 'hook_event_name'"],
      ['{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":"ls"}', "field 'tool_input'"],
      ['{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{}}', "field 'tool_input.command'"],
      ['{"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"content":"x"}}', "field 'tool_input.file_path'"],
    ];
    for (const [input, field] of cases) {
      const result = await answer(input);
      expect({ input, decision: result.output?.hookSpecificOutput.permissionDecision }).toEqual({ input, decision: "ask" });
      expect(result.message).toContain(field);
    }
    // An event firebreak does not answer: nothing on stdout (no decision), a message on stderr.
    const other = await answer(event("pre-bash-git-status").replace('"PreToolUse"', '"Notification"'));
    expect(other.output).toBeNull();
    expect(other.message).toContain("'Notification'");
  });

  it("a configuration that fails to decide answers ask, not allow", async () => {
    const { answer, event } = await setup('[[policy.rules]]\nid = "x"\naction = "ask"\npattern = "echo *"\nmatch = ["ls"]\n');
    const result = await answer(event("pre-bash-git-status"));
    expect(result.output?.hookSpecificOutput.permissionDecision).toBe("ask");
  });
});
