import { describe, expect, it } from "vitest";
import type { CommandDefinition } from "../../src/commands/types.js";
import type { RunChanges } from "../../src/engine/changes.js";
import { changesText } from "../../src/mcp/results.js";
import { mapCommandTools, TOOL_NAME_PATTERN, toolNameFor } from "../../src/mcp/tool-names.js";

const def = (qualifiedName: string, runnable = true) => ({ qualifiedName, command: runnable ? "true" : undefined }) as CommandDefinition;

describe("command tool names", () => {
  it("writes a namespace separator as __ and keeps names valid for every client", () => {
    expect(toolNameFor("db:migrate")).toBe("db__migrate");
    expect(toolNameFor("ops:db:migrate")).toBe("ops__db__migrate");
    expect(TOOL_NAME_PATTERN.test(toolNameFor("db:migrate"))).toBe(true);
  });

  it("offers no tool for a name two commands map to, a built-in's name, a too long name, or a command without a template", () => {
    const { tools, skipped } = mapCommandTools([def("db:migrate"), def("db__migrate"), def("plan"), def(`x${"y".repeat(64)}`), def("docs", false), def("ok")]);
    expect([...tools.keys()]).toEqual(["ok"]);
    expect(skipped.map((s) => s.command).sort()).toEqual(["db:migrate", "db__migrate", "plan", `x${"y".repeat(64)}`].sort());
    expect(skipped.find((s) => s.command === "db:migrate")?.reason).toContain("also the tool name of db__migrate");
  });
});

describe("a microVM run's changes in a tool result", () => {
  const changes: RunChanges = {
    id: "20261201-101500-a1b2c3",
    mode: "ask",
    status: "pending",
    added: 1,
    modified: 2,
    deleted: 0,
    protected: 0,
    pending: 3,
    applied: [],
    conflicts: [],
    refused: [],
    skipped: [],
    backupId: null,
  } as unknown as RunChanges;

  it("says they are stored and how a person applies them (an MCP client cannot be asked on a terminal)", () => {
    const text = changesText(changes);
    expect(text).toContain("1 added, 2 modified, 0 deleted; stored as changeset 20261201-101500-a1b2c3");
    expect(text).toContain("firebreak changes apply 20261201-101500-a1b2c3");
    expect(changesText({ ...changes, pending: 0, applied: ["dist/app.js"] })).not.toContain("changes apply");
  });
});
