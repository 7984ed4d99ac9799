import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createFirebreak } from "../../src/firebreak.js";
import { changesService } from "../../src/engine/changes.js";
import { invoke } from "../../src/engine/invoke.js";
import { hostDirVm } from "../helpers/host-vm.js";
import { definition, isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";
import { useSharedAgent } from "../vm/agent/agent-process.js";

const shared = useSharedAgent();

async function project(command: string, extra = "", toml = "") {
  const home = tempDir("fb-home-");
  const dir = tempDir("fb-proj-");
  writeTree(dir, {
    "firebreak.toml": toml,
    ".firebreak/commands/work.md": definition("work", `execution_mode: firecracker\n${extra}`, command),
    "src/main.c": "int main(void) { return 0; }\n",
    "old.log": "old\n",
  });
  const ctx = await createFirebreak({ cwd: dir, env: isolatedEnv(home) }, { vm: () => hostDirVm(() => shared.client) });
  const run = async () => {
    const outcome = await invoke(ctx, { kind: "command", name: "work", args: [] }, { cwd: dir, yes: true }, {});
    if (outcome.kind !== "completed") throw new Error(`not completed: ${JSON.stringify(outcome)}`);
    return outcome.result;
  };
  return { ctx, dir, run };
}

describe("a microVM run's changes come back as a changeset", () => {
  it("stores what the run changed without touching the host; 'changes apply' brings it over, audited and undoable", async () => {
    const p = await project("mkdir -p build && echo built > build/out.txt && echo edited >> src/main.c && rm old.log");
    const result = await p.run();
    expect(result.changes).toMatchObject({ mode: "ask", status: "pending", added: 2, modified: 1, deleted: 1, pending: 4, applied: [] });
    expect(fs.existsSync(path.join(p.dir, "build"))).toBe(false);
    expect(fs.existsSync(path.join(p.dir, "old.log"))).toBe(true);
    const changes = changesService(p.ctx);
    expect(changes.list()).toMatchObject([{ id: result.changes!.id, status: "pending", added: 2, modified: 1, deleted: 1 }]);
    expect(await changes.diff(result.changes!.id)).toContain("+edited");
    const { report } = await changes.apply(result.changes!.id);
    expect(report.applied.sort()).toEqual(["build", "build/out.txt", "old.log", "src/main.c"]);
    expect(fs.readFileSync(path.join(p.dir, "build/out.txt"), "utf8")).toBe("built\n");
    expect(fs.readFileSync(path.join(p.dir, "src/main.c"), "utf8")).toContain("edited");
    expect(fs.existsSync(path.join(p.dir, "old.log"))).toBe(false);
    expect(p.ctx.audit!.tail(1)[0]).toMatchObject({ extra: { changeset: { action: "apply", id: result.changes!.id, backup: report.backupId } } });
    // The previous contents are in the backup store: restoring undoes the apply's edits and deletions.
    const { backupService } = await import("../../src/engine/backups.js");
    await backupService(p.ctx).restore(report.backupId!);
    expect(fs.readFileSync(path.join(p.dir, "src/main.c"), "utf8")).toBe("int main(void) { return 0; }\n");
    expect(fs.readFileSync(path.join(p.dir, "old.log"), "utf8")).toBe("old\n");
  });

  it("never applies a write to .git/hooks even with apply_changes = auto; the rest applies at once", async () => {
    const p = await project("mkdir -p .git/hooks && echo 'touch pwned' > .git/hooks/pre-commit && echo ok > result.txt", "apply_changes: auto\n");
    fs.mkdirSync(path.join(p.dir, ".git"));
    const result = await p.run();
    expect(result.changes).toMatchObject({ mode: "auto", protected: 3, applied: ["result.txt"] });
    expect(result.changes!.refused.map((r) => r.path)).toEqual(expect.arrayContaining([".git/hooks/pre-commit"]));
    expect(fs.readFileSync(path.join(p.dir, "result.txt"), "utf8")).toBe("ok\n");
    expect(fs.existsSync(path.join(p.dir, ".git/hooks/pre-commit"))).toBe(false);
  });

  it("applies a definition's artifacts at once and keeps the rest for review; a second run's artifact replaces the first", async () => {
    const p = await project("date +%s%N > report.txt && echo scratch > notes.txt", "artifacts: [\"report.txt\"]\n");
    const first = await p.run();
    expect(first.changes).toMatchObject({ mode: "ask", applied: ["report.txt"], pending: 1 });
    const firstReport = fs.readFileSync(path.join(p.dir, "report.txt"), "utf8");
    const second = await p.run();
    expect(second.changes).toMatchObject({ applied: ["report.txt"] });
    expect(fs.readFileSync(path.join(p.dir, "report.txt"), "utf8")).not.toBe(firstReport);
    expect(fs.existsSync(path.join(p.dir, "notes.txt"))).toBe(false);
  });

  it("with apply_changes = never (config) only stores; a role's setting wins over the command's", async () => {
    const p = await project("echo x > x.txt", "apply_changes: auto\n", '[roles.developer]\napply_changes = "never"\n');
    const result = await p.run();
    expect(result.changes).toMatchObject({ mode: "never", pending: 1, applied: [] });
    expect(fs.existsSync(path.join(p.dir, "x.txt"))).toBe(false);
    const discarded = await changesService(p.ctx).discard(result.changes!.id);
    expect(discarded.status).toBe("discarded");
    expect(p.ctx.audit!.tail(1)[0]).toMatchObject({ extra: { changeset: { action: "discard", id: result.changes!.id } } });
    await expect(changesService(p.ctx).apply(result.changes!.id)).rejects.toThrow(/discarded/);
  });

  it("records no changeset for a run that changed nothing", async () => {
    const p = await project("cat src/main.c > /dev/null");
    expect((await p.run()).changes).toBeNull();
    expect(changesService(p.ctx).list()).toEqual([]);
  });
});
