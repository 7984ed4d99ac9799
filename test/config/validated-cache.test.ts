/**
 * Validated configurations kept between processes (src/config/validated-cache.ts): a later load with the same merged
 * configuration and build takes the stored output; anything else validates again. The file is sealed, so a planted
 * entry is read only when it carries the key's seal.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { ValidatedConfigCache } from "../../src/config/validated-cache.js";
import { ConfigError } from "../../src/errors.js";
import { readSealed, sealKeyFile, writeSealed } from "../../src/sealed-file.js";
import { isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";

function cacheIn(home: string, build = "build-1"): ValidatedConfigCache {
  return new ValidatedConfigCache(path.join(home, "state", "cache", "config.json"), sealKeyFile(path.join(home, "config")), build);
}

/** The entries the cache file holds (its seal verified). */
function stored(cache: ValidatedConfigCache): { input: string; output: unknown }[] {
  const text = readSealed(cache.file, cache.keyFile);
  return text === undefined ? [] : (JSON.parse(text) as { entries: { input: string; output: unknown }[] }).entries;
}

describe("ValidatedConfigCache", () => {
  it("gives back what it stored for exactly that input, as a fresh object", () => {
    const cache = cacheIn(tempDir());
    const output = { roles: { developer: { permissions: ["read"] } }, audit: { enabled: true } };
    cache.set('{"a":1}', output);
    const first = cache.get('{"a":1}');
    expect(first).toEqual(output);
    expect(first).not.toBe(output);
    (first as typeof output).roles.developer.permissions.push("write");
    expect(cache.get('{"a":1}')).toEqual(output);
    expect(cache.get('{"a":2}')).toBeUndefined();
  });

  it("reads no entry another build stored", () => {
    const home = tempDir();
    cacheIn(home, "build-1").set("{}", { x: 1 });
    expect(cacheIn(home, "build-1").get("{}")).toEqual({ x: 1 });
    expect(cacheIn(home, "build-2").get("{}")).toBeUndefined();
  });

  it("stores no output JSON would change (a date, an undefined member)", () => {
    const cache = cacheIn(tempDir());
    cache.set("1", { when: new Date(0) });
    cache.set("2", { user: undefined });
    cache.set("3", { ok: true });
    expect(stored(cache).map((e) => e.input)).toEqual(["3"]);
  });

  it("keeps the 16 newest inputs", () => {
    const cache = cacheIn(tempDir());
    for (let i = 0; i < 20; i++) cache.set(String(i), { i });
    expect(stored(cache).map((e) => e.input)).toEqual(Array.from({ length: 16 }, (_, k) => String(19 - k)));
    expect(cache.get("3")).toBeUndefined();
    expect(cache.get("4")).toEqual({ i: 4 });
  });

  it("ignores a file whose seal does not verify, and one that is not its format", () => {
    const home = tempDir();
    const cache = cacheIn(home);
    cache.set("{}", { x: 1 });
    const text = fs.readFileSync(cache.file, "utf8");
    fs.writeFileSync(cache.file, text.replace('"x":1', '"x":2'));
    expect(cache.get("{}")).toBeUndefined();
    writeSealed(cache.file, cache.keyFile, "not json");
    expect(cache.get("{}")).toBeUndefined();
    writeSealed(cache.file, cache.keyFile, JSON.stringify({ build: "build-1", entries: "nope" }));
    expect(cache.get("{}")).toBeUndefined();
  });
});

describe("loadConfig with a validated-config cache", () => {
  function project(toml: string) {
    const home = tempDir();
    writeTree(home, { "firebreak.toml": toml });
    return { home, options: { cwd: home, env: isolatedEnv(home), validatedCache: cacheIn(home) } };
  }

  it("stores the validated configuration and gives it back for the same files", async () => {
    const { home, options } = project("[exec]\nkill_grace_ms = 10\n");
    const first = await loadConfig(options);
    const [entry] = stored(cacheIn(home));
    expect(entry?.output).toEqual(first.config);
    // What a later load returns comes from the entry: one planted with the key's seal is what it gets.
    const planted = { ...first.config, default_role: "planted" };
    writeSealed(cacheIn(home).file, cacheIn(home).keyFile, JSON.stringify({ build: "build-1", entries: [{ input: entry!.input, output: planted }] }));
    expect((await loadConfig(options)).config.default_role).toBe("planted");
  });

  it("validates again when a file changed", async () => {
    const { home, options } = project("[exec]\nkill_grace_ms = 10\n");
    await loadConfig(options);
    fs.writeFileSync(path.join(home, "firebreak.toml"), "[exec]\nkill_grace_ms = 20\n");
    expect((await loadConfig(options)).config.exec.kill_grace_ms).toBe(20);
    fs.writeFileSync(path.join(home, "firebreak.toml"), '[exec]\nkill_grace_ms = "soon"\n');
    await expect(loadConfig(options)).rejects.toThrow(ConfigError);
    expect(stored(cacheIn(home))).toHaveLength(2);
  });

  it("still checks what the configuration refers to on a hit (a hook program removed since)", async () => {
    const { home, options } = project('[[hooks.external]]\nname = "h"\nprogram = "./h.sh"\n');
    writeTree(home, { "h.sh": "#!/bin/sh\n" });
    fs.chmodSync(path.join(home, "h.sh"), 0o755);
    await loadConfig(options);
    expect(stored(cacheIn(home))).toHaveLength(1);
    fs.rmSync(path.join(home, "h.sh"));
    await expect(loadConfig(options)).rejects.toThrow(/h\.sh/);
  });

  it("keeps a TOML date out of the key: it must not meet the entry of the string JSON makes of it", async () => {
    // `user` is a string: "2024-01-01" is valid and stored; the date 2024-01-01 is not valid, and JSON prints it the same.
    const { home, options } = project('user = "2024-01-01"\n');
    expect((await loadConfig(options)).config.user).toBe("2024-01-01");
    expect(stored(cacheIn(home))).toHaveLength(1);
    fs.writeFileSync(path.join(home, "firebreak.toml"), "user = 2024-01-01\n");
    await expect(loadConfig(options)).rejects.toThrow(/user/);
    expect(stored(cacheIn(home))).toHaveLength(1);
  });

  it("is not used unbundled unless given (no build id)", async () => {
    const home = tempDir();
    await loadConfig({ cwd: home, env: isolatedEnv(home) });
    expect(fs.existsSync(path.join(home, ".state", "firebreak", "cache", "config.json"))).toBe(false);
  });
});
