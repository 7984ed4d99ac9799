import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/errors.js";
import { isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";

const configError = async (fn: () => Promise<unknown>): Promise<ConfigError> => {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected ConfigError");
};

describe("loadConfig", () => {
  it("uses the embedded defaults with no files at all", async () => {
    const home = tempDir();
    const { config, sources } = await loadConfig({ cwd: home, env: isolatedEnv(home) });
    expect(sources.map((s) => s.file)).toEqual(["<built-in defaults>"]);
    expect(config.default_role).toBe("developer");
    expect(config.roles.developer?.permissions).toContain("execute");
    expect(config.exec.env_allowlist).toContain("PATH");
  });

  it("merges project over user over defaults, and finds firebreak.toml upwards", async () => {
    const home = tempDir();
    const project = tempDir();
    writeTree(home, { ".config/firebreak/config.toml": 'default_role = "viewer"\n[exec]\nkill_grace_ms = 10\n' });
    writeTree(project, { "firebreak.toml": "[exec]\noutput_cap_bytes = 7\n", "sub/dir/.keep": "" });
    const loaded = await loadConfig({ cwd: path.join(project, "sub/dir"), env: isolatedEnv(home) });
    expect(loaded.config.default_role).toBe("viewer");
    expect(loaded.config.exec).toMatchObject({ kill_grace_ms: 10, output_cap_bytes: 7 });
    expect(loaded.projectRoot).toBe(project);
    expect(loaded.config.roles.developer).toBeDefined();
  });

  it("names file, line and key for a TOML syntax error", async () => {
    const home = tempDir();
    writeTree(home, { "firebreak.toml": "[exec]\nkill_grace_ms = = 3\n" });
    const e = await configError(() => loadConfig({ cwd: home, env: isolatedEnv(home) }));
    expect(e.location).toMatchObject({ file: path.join(home, "firebreak.toml"), line: 2 });
  });

  it("names file, line and key for a schema error", async () => {
    const home = tempDir();
    writeTree(home, { "firebreak.toml": '# comment\n[exec]\noutput_cap_bytes = "big"\n' });
    const e = await configError(() => loadConfig({ cwd: home, env: isolatedEnv(home) }));
    expect(e.location).toEqual({ file: path.join(home, "firebreak.toml"), line: 3, field: "exec.output_cap_bytes" });
  });

  it("rejects unknown keys by name and line", async () => {
    const home = tempDir();
    writeTree(home, { "firebreak.toml": "[exec]\nkill_grace_ms = 1\ncolour = 2\n" });
    const e = await configError(() => loadConfig({ cwd: home, env: isolatedEnv(home) }));
    expect(e.message).toContain("unknown key 'colour'");
    expect(e.location.line).toBe(3);
  });

  it("fails clearly when --config names a missing file", async () => {
    const home = tempDir();
    expect((await configError(() => loadConfig({ cwd: home, env: isolatedEnv(home), configFile: "nope.toml" }))).message).toContain("config file not found");
  });
});
