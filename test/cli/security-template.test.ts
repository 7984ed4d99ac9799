import fs from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { REPO_ROOT, writeTree } from "../helpers/tmp.js";

let env: NodeJS.ProcessEnv;
let project: string;
const cli = (...args: string[]) => runCli(args, { cwd: project, env });

beforeEach(() => {
  ({ project, env } = freshCliProject());
  env = { ...env, FIREBREAK_TRUST_PROJECT: "1" };
  writeTree(project, { "firebreak.toml": '[vm]\nbackend = "none"\n' });
});

describe("issue 11 item 1: template injection through odd heredoc delimiters", () => {
  for (const delimiter of ["@@", "!", "%%"]) {
    it(`a {{v}} in a <<${delimiter} heredoc body fails to load, and run creates nothing`, async () => {
      const source = fs.readFileSync(path.join(REPO_ROOT, "test/fixtures/hostile/heredoc-at-at.md"), "utf8").replaceAll("@@", delimiter);
      writeTree(project, { ".firebreak/commands/hd.md": source });
      const run = await cli("run", "hd", "--v", "$(touch canary)");
      expect(run.code).not.toBe(0);
      expect(fs.existsSync(path.join(project, "canary"))).toBe(false);
      const check = await cli("commands", "check", ".firebreak/commands");
      expect(check.code).toBe(1);
      expect(check.stderr + check.stdout).toMatch(/heredoc body/);
    });
  }
});
