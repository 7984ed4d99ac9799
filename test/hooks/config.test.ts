import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { buildHooks, presetBuiltins } from "../../src/hooks/build.js";
import { hooksConfigSchema, parseHooksConfig } from "../../src/hooks/config.js";
import { compileMatcher } from "../../src/hooks/matcher.js";
import { createHookPipeline, describeHooks } from "../../src/hooks/pipeline.js";
import { BUILTIN_HOOK_NAMES, DEFAULT_PRESETS } from "../../src/hooks/presets.js";

describe("[hooks] config", () => {
  it("fills every default from an empty table", () => {
    const c = parseHooksConfig(undefined);
    expect(c.fail_closed_at).toBe("high");
    expect(c.backup).toMatchObject({ enabled: true, max_file_mb: 100, keep: 50 });
    expect(c["resource-monitor"].sample_interval_ms).toBe(100);
    expect(c.external).toEqual([]);
  });

  it("names the bad field", () => {
    expect(() => parseHooksConfig({ backup: { max_file_mb: -1 } }, "firebreak.toml")).toThrow(ConfigError);
    expect(() => parseHooksConfig({ backup: { max_file_mb: -1 } }, "firebreak.toml")).toThrow(/firebreak\.toml: field 'hooks\.backup\.max_file_mb'/);
    expect(() => parseHooksConfig({ logging: { colour: true } })).toThrow(/colour/);
    expect(() => parseHooksConfig({ presets: { ci: ["logging", "lint"] } })).toThrow(/unknown built-in hook lint/);
    expect(() => parseHooksConfig({ external: [{ name: "git", program: "x" }] })).toThrow(/already taken/);
    expect(() => parseHooksConfig({ external: [{ name: "x", program: "x", matcher: "/(/" }] })).toThrow(/invalid regular expression/);
    expect(() => parseHooksConfig({ external: [{ name: "x", program: "x", presets: ["nope"] }] })).toThrow(/unknown preset nope/);
    expect(() => parseHooksConfig({ notification: { webhooks: ["not a url"] } })).toThrow(ConfigError);
  });

  it("compiles matchers", () => {
    expect(compileMatcher(undefined)("x")).toBe(true);
    expect(compileMatcher("*")("x")).toBe(true);
    expect(compileMatcher("deploy")("deploy")).toBe(true);
    expect(compileMatcher("deploy")("deploy2")).toBe(false);
    expect(compileMatcher("/^DB:/i")("db:migrate")).toBe(true);
  });
});

describe("buildHooks and presets", () => {
  const names = (preset: string, raw: Record<string, unknown> = {}) => buildHooks(hooksConfigSchema.parse(raw), { preset }).map((h) => h.name).sort();

  it("builds each default preset, production with all seven", () => {
    expect(names("default")).toEqual([...DEFAULT_PRESETS.default!].sort());
    expect(names("development")).toEqual([...DEFAULT_PRESETS.development!].sort());
    expect(names("production")).toEqual([...BUILTIN_HOOK_NAMES].sort());
  });

  it("lets the config replace presets, add presets and disable hooks", () => {
    expect(names("default", { presets: { default: ["logging"] } })).toEqual(["logging"]);
    expect(names("ci", { presets: { ci: ["preflight", "git"] } })).toEqual(["git", "preflight"]);
    expect(names("production", { notification: { enabled: false } })).not.toContain("notification");
    expect(() => presetBuiltins(hooksConfigSchema.parse({}), "staging")).toThrow(/unknown hook preset staging \(known: default, development, production\)/);
  });

  it("adds external hooks to every preset unless they choose presets", () => {
    const raw = {
      external: [
        { name: "everywhere", program: "/bin/true" },
        { name: "prod-only", program: "/bin/true", presets: ["production"], priority: 50 },
        { name: "off", program: "/bin/true", enabled: false },
      ],
    };
    expect(names("default", raw)).toContain("everywhere");
    expect(names("default", raw)).not.toContain("prod-only");
    expect(names("production", raw)).toEqual(expect.arrayContaining(["everywhere", "prod-only"]));
    expect(names("production", raw)).not.toContain("off");
  });

  it("lists the effective pipeline in execution order with sources", () => {
    const hooks = buildHooks(hooksConfigSchema.parse({ external: [{ name: "guard", program: "./guard.sh", priority: 2000 }] }), { preset: "default" });
    const rows = describeHooks(hooks).map((r) => `${r.phase} ${r.priority} ${r.name} ${r.source}`);
    expect(rows).toEqual([
      "pre 10000 logging builtin",
      "pre 2000 guard external:./guard.sh",
      "pre 1000 preflight builtin",
      "pre 900 environment builtin",
      "spawn 0 resource-monitor builtin",
      "post 10000 logging builtin",
    ]);
    expect(createHookPipeline(hooks).list()).toEqual(describeHooks(hooks));
  });
});
