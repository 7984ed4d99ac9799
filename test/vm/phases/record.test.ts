import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { VmHandle } from "../../../src/vm/backend.js";
import {
  appendPhaseRecord,
  type BootPhaseRecord,
  PHASE_RECORDS_KEPT,
  PHASE_RECORDS_TRIM_AT,
  PHASES_FILE,
  phaseRecordFailures,
  phaseRecordOf,
  readPhaseRecords,
} from "../../../src/vm/phases/record.js";
import { REPO_ROOT, tempDir } from "../../helpers/tmp.js";

const vmWith = (phases: VmHandle["phases"]): Pick<VmHandle, "backend" | "spec" | "phases"> => ({
  backend: "qemu",
  spec: { vcpus: 1, memoryMb: 256, network: false, kernelPath: "/k", runDir: "/tmp/x" },
  phases,
});

const record = (i: number): BootPhaseRecord => ({ at: new Date(1_700_000_000_000 + i).toISOString(), backend: "qemu", kind: "restore", shape: { vcpus: 1, memoryMb: 256 }, phases: { spawn: 0, restore: i }, total_ms: i });

describe("phaseRecordOf", () => {
  it("maps PhaseTimings to phase names, takes the last phase as the total and the host load", () => {
    const r = phaseRecordOf(vmWith({ spawn: 0, vmmReady: 8.4, kernelStart: 120, init: 640, agentReady: 710 }), "boot", {
      accel: "tcg",
      warmUpMs: 745,
      at: new Date("2025-01-02T03:04:05.000Z"),
      load: { load1: 2.456, cpus: 2 },
    });
    expect(r).toEqual({
      at: "2025-01-02T03:04:05.000Z",
      backend: "qemu",
      accel: "tcg",
      kind: "boot",
      shape: { vcpus: 1, memoryMb: 256 },
      phases: { spawn: 0, vmm_ready: 8, kernel_start: 120, init: 640, agent_ready: 710, warm_up: 745 },
      total_ms: 745,
      load1: 2.46,
      cpus: 2,
    });
  });

  it("a restore has restore instead of kernel_start and init, and says when its template was just made", () => {
    const r = phaseRecordOf(vmWith({ spawn: 0, vmmReady: 9, restore: 61, agentReady: 74 }), "restore", { templateCreated: true });
    expect(r.phases).toEqual({ spawn: 0, vmm_ready: 9, restore: 61, agent_ready: 74 });
    expect(r.total_ms).toBe(74);
    expect(r.template_created).toBe(true);
    expect(r.cpus).toBeGreaterThan(0);
    expect(typeof r.load1).toBe("number");
  });
});

describe("appendPhaseRecord / readPhaseRecords", () => {
  it("appends one JSON line per record and reads the last n back, oldest first, skipping torn lines", async () => {
    const dir = tempDir();
    for (let i = 1; i <= 5; i++) await appendPhaseRecord(dir, record(i));
    fs.appendFileSync(path.join(dir, PHASES_FILE), '{"at":"torn');
    fs.appendFileSync(path.join(dir, PHASES_FILE), "\nnot json\n");
    await appendPhaseRecord(dir, record(6));
    const lines = fs.readFileSync(path.join(dir, PHASES_FILE), "utf8").trim().split("\n");
    expect(lines).toHaveLength(8);
    expect((await readPhaseRecords(dir, 3)).map((r) => r.total_ms)).toEqual([4, 5, 6]);
    expect((await readPhaseRecords(dir, 100)).map((r) => r.total_ms)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await readPhaseRecords(tempDir(), 10)).toEqual([]);
  });

  it("keeps the last 500 records once the file passes 600", async () => {
    const dir = tempDir();
    const file = path.join(dir, PHASES_FILE);
    // Start just below the trim mark, written directly (same line lengths as appended records).
    fs.writeFileSync(file, Array.from({ length: PHASE_RECORDS_TRIM_AT }, (_, i) => `${JSON.stringify(record(100 + i))}\n`).join(""));
    await appendPhaseRecord(dir, record(100 + PHASE_RECORDS_TRIM_AT));
    const kept = await readPhaseRecords(dir, 10_000);
    expect(kept).toHaveLength(PHASE_RECORDS_KEPT);
    expect(kept.at(-1)!.total_ms).toBe(100 + PHASE_RECORDS_TRIM_AT);
    expect(kept[0]!.total_ms).toBe(100 + PHASE_RECORDS_TRIM_AT + 1 - PHASE_RECORDS_KEPT);
    expect(fs.readdirSync(dir).sort()).toEqual([PHASES_FILE]); // no temp file or lock left
  });

  it("several processes appending at once: no torn line, none lost, the file stays within the bound", async () => {
    const dir = tempDir();
    const script = `
      import { appendPhaseRecord, phaseRecordFailures } from ${JSON.stringify(path.join(REPO_ROOT, "src/vm/phases/record.ts"))};
      const [dir, who] = process.argv.slice(1);
      if (!dir?.startsWith("/") || !who) throw new Error("usage: <absolute dir> <writer>");
      for (let i = 0; i < 200; i++) {
        await appendPhaseRecord(dir, { at: new Date().toISOString(), backend: "qemu", kind: "boot", shape: { vcpus: 1, memoryMb: 256 }, phases: { spawn: 0 }, total_ms: Number(who) * 1000 + i });
      }
      process.stdout.write(JSON.stringify(phaseRecordFailures()));`;
    const run = promisify(execFile);
    const outs = await Promise.all([1, 2, 3, 4].map((who) => run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, dir, String(who)], { cwd: REPO_ROOT })));
    for (const { stdout } of outs) expect(JSON.parse(stdout)).toEqual({ count: 0 });
    const lines = fs.readFileSync(path.join(dir, PHASES_FILE), "utf8").split("\n").filter(Boolean);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    // 800 appended: trimmed at least once.
    expect(lines.length).toBeLessThanOrEqual(PHASE_RECORDS_TRIM_AT + 4);
    expect(lines.length).toBeGreaterThanOrEqual(PHASE_RECORDS_KEPT);
    const totals = new Set(lines.map((l) => (JSON.parse(l) as BootPhaseRecord).total_ms));
    for (const who of [1, 2, 3, 4]) {
      // A writer's surviving records are a run up to its last one: a hole would be a record lost in a trim.
      // (A writer that finished early may have had all its records trimmed by the others: that is the bound.)
      const mine = [...totals].filter((t) => Math.floor(t / 1000) === who).sort((a, b) => a - b);
      if (!mine.length) continue;
      expect(mine.at(-1)).toBe(who * 1000 + 199);
      expect(mine.at(-1)! - mine[0]! + 1).toBe(mine.length);
    }
  }, 60_000);

  it("never throws into a run: a failure is counted and reported", async () => {
    const dir = tempDir();
    const blocker = path.join(dir, "not-a-dir");
    fs.writeFileSync(blocker, "");
    const before = phaseRecordFailures().count;
    const messages: string[] = [];
    await expect(appendPhaseRecord(blocker, record(1), (m) => messages.push(m))).resolves.toBeUndefined();
    expect(phaseRecordFailures().count).toBe(before + 1);
    expect(messages[0]).toContain("could not record VM boot phases");
  });
});
