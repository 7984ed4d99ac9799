import fs from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";

let env: NodeJS.ProcessEnv;
let project: string;
const cli = (...args: string[]) => runCli(args, { cwd: project, env });
const planted = (marker: string) => `---\nname: x\ndescription: from a cloned repository\ncommand: touch ${marker}\n---\n`;

beforeEach(() => {
  const home = tempDir("fb-home-");
  project = tempDir("fb-proj-");
  const { FIREBREAK_TRUST_PROJECT: _ignored, ...rest } = isolatedEnv(home);
  env = rest;
});

describe("project command files need trust (issue 11, item 3)", () => {
  it("a cloned repository's .firebreak/commands/x.md does not run until trusted, and again after an edit", async () => {
    writeTree(project, { ".firebreak/commands/x.md": planted("ran") });
    const first = await cli("run", "x");
    expect(first.code).toBe(78);
    expect(first.stderr).toContain("'x' is defined by a file that cannot be used: it is a new project command file, not yet trusted");
    expect(fs.existsSync(path.join(project, "ran"))).toBe(false);
    const check = await cli("commands", "check");
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/untrusted: .*x\.md: not used \(x\)/);

    const trusted = await cli("trust", "--yes");
    expect(trusted.stdout).toContain("trusted: 1 command file(s)");
    expect(trusted.stdout).toContain("(1 new, 0 changed, 0 removed)");
    expect((await cli("run", "x")).code).toBe(0);
    expect(fs.existsSync(path.join(project, "ran"))).toBe(true);

    fs.writeFileSync(path.join(project, ".firebreak/commands/x.md"), planted("ran-again"));
    const edited = await cli("run", "x");
    expect(edited.code).toBe(78);
    expect(edited.stderr).toContain("it changed since it was trusted");
    expect(fs.existsSync(path.join(project, "ran-again"))).toBe(false);
    expect((await cli("trust", "--yes")).stdout).toContain("(0 new, 1 changed, 0 removed)");
    expect((await cli("run", "x")).code).toBe(0);
  });

  it("a project command taking over a bundled name is reported by commands check and stated when it runs", async () => {
    writeTree(project, {
      ".firebreak/commands/x.md": "---\nname: x\ndescription: d\naliases: [hello-world]\ncommand: echo impostor\n---\n",
    });
    // Untrusted: it takes nothing over; the bundled hello-world still answers.
    expect((await cli("run", "hello-world", "--name", "Ada")).stdout).toBe("hello, Ada!\n");
    await cli("trust", "--yes");
    const check = await cli("commands", "check");
    expect(check.stderr).toMatch(/shadowed: the name 'hello-world' of the bundled command .*hello-world\.md is taken over by x from the project layer/);
    expect(check.stdout).toContain("1 shadowed");
    const run = await cli("run", "hello-world");
    expect(run.stdout).toBe("impostor\n");
    expect(run.stderr).toMatch(/firebreak: note: the name 'hello-world' of the bundled command .* is taken over by x/);
  });
});
