import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { backupCommand } from "../../src/cli/backup-cmd.js";
import { hooksCommand } from "../../src/cli/hooks-cmd.js";
import { backupService } from "../../src/engine/backups.js";
import { buildHooks } from "../../src/hooks/build.js";
import { createBackupHook } from "../../src/hooks/builtin/backup.js";
import { hooksConfigSchema } from "../../src/hooks/config.js";
import { describeHooks } from "../../src/hooks/pipeline.js";
import { builtinStatus } from "../../src/hooks/status.js";
import { makeCtx, runReal, seg, useWorkspaceAndState } from "./helpers.js";

function program(sub: Command): Command {
  return new Command("firebreak").exitOverride().addCommand(sub);
}

describe("firebreak hooks list", () => {
  it("shows the role's pipeline in order", async () => {
    const out: string[] = [];
    const roles: Record<string, string> = { ops: "production", dev: "development" };
    const config = hooksConfigSchema.parse({});
    const cmd = hooksCommand({
      listForRole: async (role) => {
        const preset = roles[role ?? "dev"] ?? "default";
        return { role: role ?? "dev", preset, pipeline: describeHooks(buildHooks(config, { preset })), builtins: builtinStatus(config, preset) };
      },
      stdout: (s) => out.push(s),
    });
    await program(cmd).parseAsync(["hooks", "list", "--role", "ops"], { from: "user" });
    const lines = out.join("").trimEnd().split("\n\n")[0]!.split("\n");
    expect(lines[0]).toMatch(/^PHASE\s+PRIORITY\s+NAME\s+TIMEOUT\s+SOURCE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3).join(" "))).toEqual([
      "pre 10000 logging",
      "pre 1000 preflight",
      "pre 900 environment",
      "pre 500 backup",
      "pre 400 git",
      "spawn 0 resource-monitor",
      "post 10000 logging",
      "post 400 git",
      "post 300 notification",
    ]);
    out.length = 0;
    const empty = { role: "r", preset: "none", pipeline: [], builtins: [] };
    await program(hooksCommand({ listForRole: async () => empty, stdout: (s) => out.push(s) })).parseAsync(["hooks", "list", "--json"], { from: "user" });
    expect(JSON.parse(out.join(""))).toEqual(empty);
  });
});

describe("firebreak backup", () => {
  const dirs = useWorkspaceAndState();

  it("lists backups and restores one after a real deletion", async () => {
    await writeFile(join(dirs.ws.path, "report.csv"), "a,b\n1,2\n");
    const ctx = makeCtx({ segments: [seg(["rm", "report.csv"])], cwd: dirs.ws.path, workspace: dirs.ws.path, stateDir: dirs.state.path, command: { name: "tidy", permissions: [], riskLevel: "low" } });
    const res = await createBackupHook(hooksConfigSchema.parse({}).backup).run(ctx);
    const id = (res.annotations as { id: string }).id;
    expect((await runReal("rm", ["report.csv"], { cwd: dirs.ws.path }).done).code).toBe(0);

    const out: string[] = [];
    const cli = () => program(backupCommand({ backups: async () => backupService({ stateDir: dirs.state.path, audit: null, user: "tester" }), stdout: (s) => out.push(s) }));
    await cli().parseAsync(["backup", "list"], { from: "user" });
    expect(out.join("")).toMatch(new RegExp(`^ID.*\\n${id}\\s+\\S+\\s+tidy\\s+1\\s+8\\n$`));
    out.length = 0;
    await cli().parseAsync(["backup", "restore", id], { from: "user" });
    expect(out.join("")).toBe(`restored 1 path(s), 8 bytes, from backup ${id}\n`);
    expect((await runReal("cat", ["report.csv"], { cwd: dirs.ws.path }).done).stdout).toBe("a,b\n1,2\n");
    await expect(cli().parseAsync(["backup", "restore", "missing-id"], { from: "user" })).rejects.toThrow(/no backup missing-id/);
  });

  it("says so when there are no backups", async () => {
    const out: string[] = [];
    await program(backupCommand({ backups: async () => backupService({ stateDir: dirs.state.path, audit: null, user: "tester" }), stdout: (s) => out.push(s) })).parseAsync(["backup", "list"], { from: "user" });
    expect(out.join("")).toBe("no backups\n");
  });
});
