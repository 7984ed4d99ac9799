import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { writeTree } from "../helpers/tmp.js";

let env: NodeJS.ProcessEnv;
let project: string;
const cli = (...args: string[]) => runCli(args, { cwd: project, env: { ...env, FIREBREAK_DAEMON: "off" } });

beforeEach(() => {
  ({ project, env } = freshCliProject());
  writeTree(project, { "firebreak.toml": '[vm]\nbackend = "none"\n' });
});

describe("what the CLI says when a command cannot be found or is asked for help", () => {
  it("a command whose file failed to load says why (exit 78), instead of 'unknown command'", async () => {
    writeTree(project, { ".firebreak/commands/broken.md": "---\nname: broken\ndescription: x\nparameters: [oops\n---\n" });
    const r = await cli("run", "broken");
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`firebreak: command 'broken' could not be loaded: ${path.join(project, ".firebreak/commands/broken.md")}:4: invalid YAML`);
    expect(r.stderr).not.toContain("unknown command");
  });

  it("a file named otherwise is still found by the name its front matter declares", async () => {
    writeTree(project, { ".firebreak/commands/tools.md": "---\nname: lint-all\ndescription: x\ntimeout: soon\n---\n" });
    const r = await cli("run", "lint-all");
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/command 'lint-all' could not be loaded: .*tools\.md:4: field 'timeout'/);
  });

  it("an unknown name gets did-you-mean: hello_world → hello-world, helo → hello", async () => {
    const underscore = await cli("run", "hello_world");
    expect(underscore.code).toBe(2);
    expect(underscore.stderr).toBe("firebreak: unknown command 'hello_world'; did you mean: hello-world?\n");
    expect((await cli("run", "helo")).stderr).toBe("firebreak: unknown command 'helo'; did you mean: hello?\n");
    expect((await cli("run", "zzzzzz")).stderr).toBe("firebreak: unknown command 'zzzzzz'; see 'firebreak commands list'\n");
  });

  it("run <name> --help and -h show the command's usage, parameters and documentation, and run nothing", async () => {
    for (const flag of ["--help", "-h"]) {
      const r = await cli("run", "hello-world", flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("usage: firebreak run hello-world [name] [--greeting <hello|hi|hey|greetings>]");
      expect(r.stdout).toContain('  greeting (string, default "hello") one of: hello, hi, hey, greetings — Greeting type');
      expect(r.stdout).toContain("# Hello World\n\nGreets someone.");
      expect(r.stdout).not.toContain("hello, World!");
      expect(r.stderr).toBe("");
    }
  });
});
