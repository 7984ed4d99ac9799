import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HEAD_FILE, writeHead } from "../../src/audit/head.js";
import { AuditLog } from "../../src/audit/log.js";
import type { AuditEntry } from "../../src/audit/types.js";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { tempDir, writeTree } from "../helpers/tmp.js";

const entry = (id: string): AuditEntry => ({
  kind: "run",
  id,
  user: "alice",
  role: "developer",
  command: "hello-world",
  definition_sha256: null,
  parameters: {},
  rendered: "echo hi",
  placement: "local",
  risk: "low",
  reasons: [],
  exit_status: 0,
});

/** Cuts the log in the middle of its last record, as a crash mid-append would. */
function tearLastRecord(file: string): string {
  const text = fs.readFileSync(file, "utf8");
  const lastStart = text.lastIndexOf("\n", text.length - 2) + 1;
  const cut = lastStart + Math.floor((text.length - lastStart) / 2);
  fs.writeFileSync(file, text.slice(0, cut));
  return text.slice(lastStart, cut);
}

describe("audit log crash safety (issue 11, item 6)", () => {
  it("a torn last record is moved aside with a repair record, and the chain continues", async () => {
    const log = new AuditLog(tempDir());
    for (const id of ["1", "2", "3"]) await log.append(entry(id));
    const torn = tearLastRecord(log.file);
    expect(log.tail(10).map((r) => r.id)).toEqual(["1", "2"]); // tail reads past the torn line
    expect(log.verify().ok).toBe(false);

    const next = await log.append(entry("4"));
    const records = log.tail(10);
    expect(records.map((r) => [r.seq, r.kind, r.id === "4" ? "4" : r.kind === "repair" ? "repair" : r.id])).toEqual([
      [1, "run", "1"],
      [2, "run", "2"],
      [3, "repair", "repair"],
      [4, "run", "4"],
    ]);
    expect(next.seq).toBe(4);
    const aside = records[2]?.extra?.torn_file as string;
    expect(fs.readFileSync(aside, "utf8")).toBe(torn);
    expect(log.verify()).toEqual({ ok: true, records: 4 });
  });

  it("a last line complete but for its newline is kept, not moved aside", async () => {
    const log = new AuditLog(tempDir());
    await log.append(entry("1"));
    fs.writeFileSync(log.file, fs.readFileSync(log.file, "utf8").replace(/\n$/, ""));
    await log.append(entry("2"));
    expect(log.tail(10).map((r) => r.kind)).toEqual(["run", "run"]);
    expect(log.verify().ok).toBe(true);
  });

  it("records deleted from the end no longer verify: the separately stored head says how many there were", async () => {
    const log = new AuditLog(tempDir());
    for (const id of ["1", "2", "3"]) await log.append(entry(id));
    expect(log.verify().ok).toBe(true);
    const lines = fs.readFileSync(log.file, "utf8").split("\n").filter(Boolean);
    fs.writeFileSync(log.file, `${lines.slice(0, 2).join("\n")}\n`);
    expect(log.verify()).toMatchObject({ ok: false, problem: { message: "the log ends at seq 2 but the head says 3: records were removed from the end" } });
    fs.rmSync(path.join(log.dir, HEAD_FILE));
    expect(log.verify()).toMatchObject({ ok: false, problem: { message: expect.stringMatching(/head file is missing/) } });
  });

  it("a head one record behind (a crash between the record and the head) still verifies; more does not", async () => {
    const log = new AuditLog(tempDir());
    const a = await log.append(entry("1"));
    await log.append(entry("2"));
    writeHead(log.dir, { seq: a.seq, hash: a.hash, time: a.time });
    expect(log.verify().ok).toBe(true);
    await log.append(entry("3"));
    writeHead(log.dir, { seq: a.seq, hash: a.hash, time: a.time });
    expect(log.verify()).toMatchObject({ ok: false, problem: { message: expect.stringMatching(/2 records after the head/) } });
  });

  it("after a crash mid-append, the next `firebreak run` records normally and `audit tail`/`verify` work", async () => {
    const { home, project, env } = freshCliProject();
    writeTree(project, { "firebreak.toml": '[vm]\nbackend = "none"\n' });
    const cli = (...args: string[]) => runCli(args, { cwd: project, env });
    expect((await cli("run", "hello-world")).code).toBe(0);
    expect((await cli("run", "hello-world", "--name", "B")).code).toBe(0);
    tearLastRecord(path.join(home, ".state/firebreak/audit/audit.jsonl"));
    expect((await cli("audit", "tail")).code).toBe(0);
    const run = await cli("run", "hello-world", "--name", "C");
    expect(run.code, run.stderr).toBe(0);
    const verify = await cli("audit", "verify");
    expect(verify.code, verify.stdout).toBe(0);
    const tail = await cli("audit", "tail", "-n", "20", "--json");
    // The second run's final record was torn: moved aside by the next append (the third run's intent).
    expect((JSON.parse(tail.stdout) as { kind: string }[]).map((r) => r.kind)).toEqual(["intent", "run", "intent", "repair", "intent", "run"]);
  });
});
