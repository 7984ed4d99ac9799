import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AuditLog, redactParameters } from "../../src/audit/log.js";
import type { AuditEntry } from "../../src/audit/types.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";

const entry = (id: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  kind: "run",
  id,
  user: "alice",
  role: "developer",
  command: "hello-world",
  definition_sha256: "ab".repeat(32),
  parameters: { name: "Ada" },
  rendered: "printf '%s, %s!\\n' hi Ada",
  placement: "local",
  risk: "low",
  reasons: [],
  exit_status: 0,
  ...extra,
});

describe("AuditLog", () => {
  it("chains records and verifies an intact log", async () => {
    const log = new AuditLog(tempDir());
    const a = await log.append(entry("1"));
    const b = await log.append(entry("2"));
    expect(a.seq).toBe(1);
    expect(b.seq).toBe(2);
    expect(b.prev_hash).toBe(a.hash);
    expect(log.verify()).toEqual({ ok: true, records: 2 });
    expect(log.tail(1).map((r) => r.id)).toEqual(["2"]);
    expect(log.tail(10).map((r) => r.id)).toEqual(["1", "2"]);
  });

  it("detects a tampered record, naming its line", async () => {
    const log = new AuditLog(tempDir());
    for (const id of ["1", "2", "3"]) await log.append(entry(id));
    const lines = fs.readFileSync(log.file, "utf8").split("\n");
    lines[1] = lines[1]!.replace('"exit_status":0', '"exit_status":1');
    fs.writeFileSync(log.file, lines.join("\n"));
    expect(log.verify()).toMatchObject({ ok: false, records: 1, problem: { line: 2, seq: 2, message: expect.stringContaining("modified") } });
  });

  it("detects a deleted record as a broken link", async () => {
    const log = new AuditLog(tempDir());
    for (const id of ["1", "2", "3"]) await log.append(entry(id));
    const lines = fs.readFileSync(log.file, "utf8").split("\n");
    lines.splice(1, 1);
    fs.writeFileSync(log.file, lines.join("\n"));
    expect(log.verify()).toMatchObject({ ok: false, problem: { line: 2, message: expect.stringContaining("missing") } });
  });

  it("detects a torn (truncated) last record", async () => {
    const log = new AuditLog(tempDir());
    for (const id of ["1", "2"]) await log.append(entry(id));
    const text = fs.readFileSync(log.file, "utf8");
    fs.writeFileSync(log.file, text.slice(0, -40));
    expect(log.verify()).toMatchObject({ ok: false, problem: { line: 2, message: expect.stringContaining("not valid JSON") } });
  });

  it("keeps 50 concurrent writer processes from interleaving or tearing records", async () => {
    const dir = tempDir();
    const writers = Array.from({ length: 50 }, (_, i) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "test/fixtures/audit-writer.ts"), dir, "1", `w${i}`], { cwd: REPO_ROOT, stdio: "inherit" });
        child.on("error", reject);
        child.on("close", (code) => resolve(code ?? -1));
      }),
    );
    expect(await Promise.all(writers)).toEqual(Array(50).fill(0));
    const log = new AuditLog(dir);
    expect(log.verify()).toEqual({ ok: true, records: 50 });
    expect(new Set(log.tail(50).map((r) => r.id)).size).toBe(50);
  }, 120_000);

  it("redacts secret parameter values", () => {
    expect(redactParameters({ token: "s3cr3t", name: "x" }, ["token"])).toEqual({ token: "[redacted]", name: "x" });
  });
});
