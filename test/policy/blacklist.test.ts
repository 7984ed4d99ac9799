import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { checkBlacklist, compileBlacklist } from "../../src/policy/blacklist.js";
import { simpleSegments } from "../../src/policy/rules/shell-words.js";
import { segment } from "./fixtures/segments.js";

const BLACKLIST = compileBlacklist(["mkfs *", "rm -rf /", "dd * of=/dev/sda *", "sudo *"]);

describe("blacklist", () => {
  it.each([
    ["mkfs /dev/sda1", ["mkfs *"]],
    ["ls && rm -rf /", ["rm -rf /"]],
    ["rm -rf /tmp/x", []],
    ["dd if=/dev/zero of=/dev/sda bs=1M", ["dd * of=/dev/sda *"]],
    ["echo 'rm -rf /'", []],
    ["grep mkfs notes.txt", []],
    ["r''m -rf /", ["rm -rf /"]],
  ])("%j -> %j", (line, patterns) => {
    expect(checkBlacklist(simpleSegments(line), BLACKLIST).map((h) => h.pattern)).toEqual(patterns);
  });

  it("refuses at load the shell-glob spelling 'git push --force*' (it would never match), naming the index and the fix", () => {
    let error: unknown;
    try {
      compileBlacklist(["mkfs *", "git push --force*"], { file: "/p/firebreak.toml" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).location).toEqual({ file: "/p/firebreak.toml", field: "policy.blacklist[1]" });
    expect((error as ConfigError).message).toContain("'--force*' glues a wildcard to text");
    // The same words, written whole, block every force push.
    const fixed = compileBlacklist(["git push --force *"]);
    expect(checkBlacklist(simpleSegments("git push --force origin main"), fixed)).toHaveLength(1);
  });

  it("checks nested segments, paths and wrappers", () => {
    const hits = checkBlacklist(
      [
        segment(["echo", "ok"]),
        segment(["/sbin/mkfs", "x"], { context: ["command_substitution"] }),
        segment(["apt", "install", "x"], { wrappers: ["sudo"] }),
      ],
      BLACKLIST,
    );
    expect(hits.map((h) => [h.pattern, h.segmentIndex])).toEqual([
      ["mkfs *", 1],
      ["sudo *", 2],
    ]);
    expect(hits[0]?.reason).toBe("blacklisted by 'mkfs *': '/sbin/mkfs x'");
  });

  it("rejects a bad pattern with its config field", () => {
    expect(() => compileBlacklist(["ok", "a; b"], { file: "f.toml" })).toThrow(ConfigError);
    expect(() => compileBlacklist(["ok", "a; b"], { file: "f.toml" })).toThrow(/f\.toml: field 'policy\.blacklist\[1\]'/);
  });
});
