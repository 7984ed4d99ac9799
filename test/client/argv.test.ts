import { describe, expect, it } from "vitest";
import { parseClientArgv } from "../../src/client/argv.js";

describe("the lean client's argv", () => {
  it("run: firebreak's options before the name, the command's after it", () => {
    expect(parseClientArgv(["run", "--json", "--role=ops", "deploy", "staging", "--json"])).toEqual({ kind: "run", name: "deploy", tokens: ["staging", "--json"], json: true, yes: false, plan: false, role: "ops" });
    expect(parseClientArgv(["run", "--dry-run", "--role", "dev", "x"])).toMatchObject({ plan: true, role: "dev", name: "x" });
  });

  it("sh: the line starts at its first word or after --", () => {
    expect(parseClientArgv(["sh", "--yes", "--", "rm", "-rf", "x"])).toEqual({ kind: "sh", line: "rm -rf x", json: false, yes: true, plan: false, vm: false, role: undefined });
    expect(parseClientArgv(["sh", "--vm", "true"])).toMatchObject({ kind: "sh", line: "true", vm: true });
    // --vm is sh's alone: run leaves it to the full CLI, which says what it is.
    expect(parseClientArgv(["run", "--vm", "hello-world"])).toBeUndefined();
    expect(parseClientArgv(["sh", "git", "status"])).toMatchObject({ kind: "sh", line: "git status" });
  });

  it("leaves help, unknown options, '--' before a command name and empty lines to the full CLI", () => {
    for (const argv of [["run", "--help"], ["run", "-x", "a"], ["run", "--", "a"], ["run"], ["sh", "--"], ["sh", "-h"], ["sh", "--", " "]]) {
      expect(parseClientArgv(argv), argv.join(" ")).toBeUndefined();
    }
  });
});
