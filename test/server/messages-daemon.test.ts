import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { definition, isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";
import { type DaemonProcess, startDaemon } from "./daemon-process.js";

/** Issue 12's messages must read the same through `firebreak serve` as in-process (the client renders with cli/view). */
describe("messages through the daemon are the in-process ones", () => {
  const home = tempDir("fb-home-");
  const project = tempDir("fb-proj-");
  writeTree(project, {
    "firebreak.toml": '[vm]\nbackend = "none"\n[policy]\nlocal_risk_ceiling = "medium"\n[roles.ops]\npermissions = ["read", "write", "execute"]\nrisk_ceiling = "high"\n',
    ".firebreak/commands/tidy.md": definition("tidy", "risk_level: medium\nexecution_mode: local\npermissions: [write]\n", "echo tidy"),
    ".firebreak/commands/broken.md": "---\nname: broken\ndescription: x\nparameters: [oops\n---\n",
  });
  const env = isolatedEnv(home);
  let daemon: DaemonProcess;
  const cli = (args: string[], e: NodeJS.ProcessEnv) => runCli(args, { cwd: project, env: e });

  beforeAll(async () => {
    daemon = await startDaemon(env, project);
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  it("refusals with the allowing roles, did-you-mean, load errors, run --help and --json errors", async () => {
    const cases: string[][] = [
      ["run", "--role", "viewer", "tidy"],
      ["run", "security-audit", "/"],
      ["run", "hello_world"],
      ["run", "broken"],
      ["run", "hello-world", "--help"],
      ["run", "--json", "hello_world"],
      ["run", "hello-world", "--greeting", "yo", "--json"],
    ];
    for (const args of cases) {
      const remote = await cli(args, { ...env, FIREBREAK_SOCKET: daemon.socket });
      const local = await cli(args, { ...env, FIREBREAK_DAEMON: "off" });
      expect({ args, code: remote.code, stdout: remote.stdout, stderr: remote.stderr }).toEqual({
        args,
        code: local.code,
        stdout: local.stdout,
        stderr: local.stderr.replace(/ · role (\w+)\n/, " · role $1 · via daemon\n"),
      });
    }
    const refused = await cli(["run", "--role", "viewer", "tidy"], { ...env, FIREBREAK_SOCKET: daemon.socket });
    expect(refused.stderr).toContain("allowed for roles developer, ops: run it with --role developer or --role ops");
    expect(daemon.log()).not.toContain("internal error");
  });
});
