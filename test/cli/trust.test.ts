import fs from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";

let env: NodeJS.ProcessEnv;
let project: string;
const cli = (...args: string[]) => runCli(args, { cwd: project, env });

beforeEach(() => {
  const home = tempDir("fb-home-");
  project = tempDir("fb-proj-");
  const { FIREBREAK_TRUST_PROJECT: _ignored, ...rest } = isolatedEnv(home);
  env = rest;
  // A repository's config that would let critical commands run on the host.
  writeTree(project, { "firebreak.toml": '[policy]\nlocal_risk_ceiling = "critical"\n' });
});

describe("project config trust", () => {
  it("refuses an untrusted project config instead of letting it loosen the policy", async () => {
    const r = await cli("policy", "check", "--", "rm -rf ~");
    expect(r.code).toBe(78);
    expect(r.stderr).toContain("project configuration is not trusted (it has not been trusted on this machine)");
    expect(r.stderr).toContain(path.join(project, "firebreak.toml"));
  });

  it("needs a terminal or --yes to trust, then uses the file until it changes", async () => {
    const noTty = await cli("trust");
    expect(noTty.code).toBe(77);
    expect((await cli("trust", "--yes")).stdout).toContain("trusted: ");
    expect((await cli("config", "show", "--json")).code).toBe(0);
    const list = await cli("trust", "--list");
    expect(list.stdout).toContain("unchanged");

    fs.appendFileSync(path.join(project, "firebreak.toml"), "allow_critical_in_vm = true\n");
    const changed = await cli("config", "show");
    expect(changed.code).toBe(78);
    expect(changed.stderr).toContain("it changed since it was trusted");
    expect((await cli("trust", "--list")).stdout).toContain("CHANGED (not used)");

    expect((await cli("trust", "--revoke")).stdout).toContain("no longer trusted");
  });

  it("refuses to trust a file that does not load, naming every problem, and trusts nothing", async () => {
    writeTree(project, { "firebreak.toml": 'default_role = "admin"\n[roles.developer]\nvm_type = "huge"\n' });
    const r = await cli("trust", "--yes");
    expect(r.code).toBe(78);
    expect(r.stderr).toContain("2 configuration errors");
    expect(r.stderr).toContain("firebreak.toml:1: field 'default_role': unknown role 'admin'");
    expect(r.stderr).toContain("firebreak.toml:3: field 'roles.developer.vm_type': unknown vm_type 'huge'");
    expect((await cli("trust", "--list")).stdout).toContain("no trusted project configs");
  });

  it("refuses to trust a file whose rule fails its own example (checked with the real shell parser)", async () => {
    writeTree(project, { "firebreak.toml": '[[policy.rules]]\nid = "x"\naction = "deny"\npattern = "git push *"\nmatch = ["git pull"]\n' });
    const r = await cli("trust", "--yes");
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('rule "x" (git push *) does not match its example "git pull"');
    expect((await cli("trust", "--list")).stdout).toContain("no trusted project configs");
  });

  it("a directory without firebreak.toml needs no trust", async () => {
    fs.rmSync(path.join(project, "firebreak.toml"));
    expect((await cli("run", "hello-world")).stdout).toBe("hello, World!\n");
  });
});
