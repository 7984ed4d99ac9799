import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { ConfigError, ConfigIssuesError, EXIT } from "../../src/errors.js";
import { isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";

/** Loads a project firebreak.toml; returns the error it throws. */
async function loadError(toml: string, files: Record<string, string> = {}): Promise<ConfigError> {
  const project = tempDir();
  writeTree(project, { "firebreak.toml": toml, ...files });
  try {
    await loadConfig({ cwd: project, env: isolatedEnv(project) });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("names the configuration uses must exist at load (exit 78)", () => {
  it("an unknown default_role", async () => {
    const e = await loadError('\ndefault_role = "admin"\n');
    expect(e.exitCode).toBe(EXIT.CONFIG);
    expect(e.location).toMatchObject({ line: 2, field: "default_role" });
    expect(e.message).toMatch(/unknown role 'admin' \(defined roles: developer, security, viewer\)/);
  });

  it("an unknown vm_type", async () => {
    const e = await loadError('[roles.developer]\nvm_type = "huge"\n');
    expect(e.location).toMatchObject({ line: 2, field: "roles.developer.vm_type" });
    expect(e.message).toContain("unknown vm_type 'huge' (defined in [vm_types]: none)");
  });

  it("an unknown pooled VM type, and [pool] / [alerts] values checked like every section", async () => {
    const e = await loadError('[vm_types.small]\nmemory_mb = 128\n\n[pool]\ntypes = ["default", "small", "huge"]\n');
    expect(e.message).toMatch(/field 'pool\.types\.2'/);
    expect(e.message).toContain(`unknown VM type 'huge' ("default" or one of [vm_types]: small)`);
    expect((await loadError('[pool]\nstrategy = "fastest"\n')).message).toMatch(/pool\.strategy.*first-available/s);
    expect((await loadError('[pool]\nmin_readyy = 2\n')).message).toMatch(/min_readyy/);
    expect((await loadError('[alerts]\nfailure_rate = 2\n')).message).toMatch(/alerts\.failure_rate/);
  });

  it("an unknown hook preset", async () => {
    const e = await loadError('[roles.developer]\nhooks = "paranoid"\n');
    expect(e.location).toMatchObject({ line: 2, field: "roles.developer.hooks" });
    expect(e.message).toMatch(/unknown hook preset 'paranoid' \(known: .*default/);
  });

  it("a hook program that does not exist, or is not executable, or is not in PATH", async () => {
    const missing = await loadError('[[hooks.external]]\nname = "h"\nprogram = "./hooks/nope.sh"\n');
    expect(missing.location).toMatchObject({ line: 3, field: "hooks.external.0.program" });
    expect(missing.message).toMatch(/hook program not found: .*hooks\/nope\.sh/);
    const notExec = await loadError('[[hooks.external]]\nname = "h"\nprogram = "./h.sh"\n', { "h.sh": "#!/bin/sh\n" });
    expect(notExec.message).toMatch(/not an executable file/);
    const bare = await loadError('[[hooks.external]]\nname = "h"\nprogram = "no-such-program-xyz"\n');
    expect(bare.message).toContain("'no-such-program-xyz' is not an executable in PATH");
  });

  it("a knowledge-graph path that does not exist, resolved against the file that set it", async () => {
    const e = await loadError('[roles.developer]\nknowledge_graph = "kg/missing"\n');
    expect(e.location).toMatchObject({ line: 2, field: "roles.developer.knowledge_graph" });
    expect(e.message).toMatch(/knowledge graph not found: .*kg\/missing/);
  });

  it("accepts names that exist", async () => {
    const project = tempDir();
    writeTree(project, {
      "firebreak.toml":
        '[vm_types.big]\nvcpus = 2\n[roles.developer]\nvm_type = "big"\nhooks = "strict"\nknowledge_graph = "kg"\n[hooks.presets]\nstrict = ["logging"]\n[[hooks.external]]\nname = "h"\nprogram = "./h.sh"\n[[hooks.external]]\nname = "g"\nprogram = "sh"\n',
      "kg/deploy.md": "synonyms:: ship\n",
      "h.sh": "#!/bin/sh\n",
    });
    fs.chmodSync(path.join(project, "h.sh"), 0o755);
    expect((await loadConfig({ cwd: project, env: isolatedEnv(project) })).config.roles.developer?.vm_type).toBe("big");
  });
});

describe("every configuration error at once", () => {
  it("lists schema and reference errors together, each with file:line and key", async () => {
    const e = await loadError('default_role = "admin"\n[exec]\noutput_cap_bytes = "big"\ncolour = 1\n[roles.developer]\nvm_type = "huge"\n');
    expect(e).toBeInstanceOf(ConfigIssuesError);
    expect(e.exitCode).toBe(EXIT.CONFIG);
    const issues = (e as ConfigIssuesError).issues;
    expect(issues.map((i) => [i.location.line, i.location.field])).toEqual(
      expect.arrayContaining([
        [1, "default_role"],
        [3, "exec.output_cap_bytes"],
        [4, "exec.colour"],
        [6, "roles.developer.vm_type"],
      ]),
    );
    expect(issues).toHaveLength(4);
    expect(e.message).toMatch(/^4 configuration errors:\n/);
    expect(e.message).toMatch(/firebreak\.toml:6: field 'roles\.developer\.vm_type': unknown vm_type 'huge'/);
  });
});
