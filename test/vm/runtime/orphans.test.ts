/**
 * reapOrphans with fake owner records: a dead owner's VM (a stand-in VMM process, its sockets, run dir and RAM file)
 * is reaped; a live owner's, a reused pid's look-alike and anything without a record are not.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reapOrphans } from "../../../src/vm/orphans.js";
import { currentOwner, OWNER_RECORD_FILE, processStartTime, writeOwnerRecord } from "../../../src/vm/owner-record.js";
import { tempDir } from "../../helpers/tmp.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

/** A process that exits at once: its pid and start time name a dead owner. */
async function deadProcess(): Promise<{ pid: number; start: number }> {
  const child = spawn("/bin/sh", ["-c", "exit 0"]);
  const start = processStartTime(child.pid!) ?? 1;
  await new Promise((r) => child.once("exit", r));
  return { pid: child.pid!, start };
}

/** A stand-in VMM whose command line names a path in its run dir, like QEMU's does. */
function fakeVmm(runDir: string): ChildProcess {
  const child = spawn("/bin/sh", ["-c", "sleep 60", "qemu-stand-in", `${runDir}/qmp.sock`], { stdio: "ignore" });
  children.push(child);
  return child;
}

function fakeVm(root: string, ramDir: string, owner: { ownerPid: number; ownerStart: number }, name: string) {
  const runDir = path.join(root, `fbvm-${name}`);
  fs.mkdirSync(runDir, { mode: 0o700 });
  const files = ["qmp.sock", "agent.sock", "console.log", OWNER_RECORD_FILE].map((f) => path.join(runDir, f));
  for (const f of files) fs.writeFileSync(f, "");
  const ramFile = path.join(ramDir, `firebreak-${name}.ram`);
  fs.writeFileSync(ramFile, "ram");
  const vmm = fakeVmm(runDir);
  writeOwnerRecord({ ...owner, backend: "qemu", vmmPid: vmm.pid, vmmStart: processStartTime(vmm.pid!), runDir, trees: [runDir], files: [...files, ramFile], ramFile, createdAt: new Date().toISOString() });
  return { runDir, ramFile, vmm };
}

async function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.signalCode;
  return new Promise((r) => child.once("exit", (_c, s) => r(s)));
}

describe("reapOrphans", () => {
  it("reaps a dead owner's VM: kills its VMM, removes its run dir, sockets and RAM file", async () => {
    const [root, ramDir, stateDir] = [tempDir("reap-run-"), tempDir("reap-ram-"), tempDir("reap-state-")];
    const dead = await deadProcess();
    const vm = fakeVm(root, ramDir, { ownerPid: dead.pid, ownerStart: dead.start }, "a1");
    const report = await reapOrphans({ stateDir, runRoot: root, ramDir });
    expect(report.killed).toEqual([{ pid: vm.vmm.pid, runDir: vm.runDir }]);
    expect(await exited(vm.vmm)).toBe("SIGKILL");
    expect(fs.existsSync(vm.runDir)).toBe(false);
    expect(fs.existsSync(vm.ramFile)).toBe(false);
    expect(report.removed).toEqual(expect.arrayContaining([vm.runDir, vm.ramFile]));
  });

  it("keeps everything of a live owner (this process)", async () => {
    const [root, ramDir, stateDir] = [tempDir("reap-run-"), tempDir("reap-ram-"), tempDir("reap-state-")];
    const vm = fakeVm(root, ramDir, currentOwner(), "b2");
    const report = await reapOrphans({ stateDir, runRoot: root, ramDir });
    expect(report.killed).toEqual([]);
    expect(report.removed).toEqual([]);
    expect(report.kept).toEqual([{ path: vm.runDir, reason: `owner pid ${process.pid} is alive` }]);
    expect(fs.existsSync(path.join(vm.runDir, "qmp.sock"))).toBe(true);
    expect(fs.existsSync(vm.ramFile)).toBe(true);
    expect(processStartTime(vm.vmm.pid!)).toBeDefined();
  });

  it("reaps when the owner's pid now belongs to another process (different start time)", async () => {
    const [root, ramDir, stateDir] = [tempDir("reap-run-"), tempDir("reap-ram-"), tempDir("reap-state-")];
    const me = currentOwner();
    const vm = fakeVm(root, ramDir, { ownerPid: me.ownerPid, ownerStart: me.ownerStart - 1 }, "c3");
    const report = await reapOrphans({ stateDir, runRoot: root, ramDir });
    expect(report.killed.map((k) => k.pid)).toEqual([vm.vmm.pid]);
    expect(fs.existsSync(vm.runDir)).toBe(false);
  });

  it("never kills a process whose start time differs from the record's VMM (a reused VMM pid)", async () => {
    const [root, ramDir, stateDir] = [tempDir("reap-run-"), tempDir("reap-ram-"), tempDir("reap-state-")];
    const dead = await deadProcess();
    const vm = fakeVm(root, ramDir, { ownerPid: dead.pid, ownerStart: dead.start }, "d4");
    const record = JSON.parse(fs.readFileSync(path.join(vm.runDir, OWNER_RECORD_FILE), "utf8"));
    writeOwnerRecord({ ...record, vmmStart: record.vmmStart - 1 });
    const report = await reapOrphans({ stateDir, runRoot: root, ramDir });
    expect(report.killed).toEqual([]);
    expect(processStartTime(vm.vmm.pid!)).toBeDefined();
    expect(fs.existsSync(vm.runDir)).toBe(false); // the files were the dead owner's all the same
  });

  it("keeps run dirs and RAM files without a record, and touches nothing a record names outside its own dir", async () => {
    const [root, ramDir, stateDir] = [tempDir("reap-run-"), tempDir("reap-ram-"), tempDir("reap-state-")];
    const bare = path.join(root, "fbvm-norecord");
    fs.mkdirSync(bare, { mode: 0o700 });
    fs.writeFileSync(path.join(bare, "qmp.sock"), "");
    const strayRam = path.join(ramDir, "firebreak-abc123.ram");
    fs.writeFileSync(strayRam, "");
    const victim = path.join(tempDir("reap-victim-"), "precious.txt");
    fs.writeFileSync(victim, "keep me");
    const planted = path.join(root, "fbvm-planted");
    fs.mkdirSync(planted, { mode: 0o700 });
    const dead = await deadProcess();
    writeOwnerRecord({ ownerPid: dead.pid, ownerStart: dead.start, backend: "qemu", runDir: planted, trees: [path.dirname(victim)], files: [victim], ramFile: victim, createdAt: "" });

    const report = await reapOrphans({ stateDir, runRoot: root, ramDir });
    expect(fs.readFileSync(victim, "utf8")).toBe("keep me");
    expect(fs.existsSync(path.join(bare, "qmp.sock"))).toBe(true);
    expect(fs.existsSync(strayRam)).toBe(true);
    expect(report.kept).toEqual(
      expect.arrayContaining([
        { path: bare, reason: "no owner record" },
        { path: strayRam, reason: "no owner record names this RAM file" },
      ]),
    );
  });

  it("keeps a run dir others can write into (a record planted in a shared /tmp)", async () => {
    const [root, ramDir, stateDir] = [tempDir("reap-run-"), tempDir("reap-ram-"), tempDir("reap-state-")];
    const dead = await deadProcess();
    const vm = fakeVm(root, ramDir, { ownerPid: dead.pid, ownerStart: dead.start }, "e5");
    fs.chmodSync(vm.runDir, 0o777);
    const report = await reapOrphans({ stateDir, runRoot: root, ramDir });
    expect(report.killed).toEqual([]);
    expect(report.kept).toContainEqual({ path: vm.runDir, reason: "writable by group or others" });
    expect(processStartTime(vm.vmm.pid!)).toBeDefined();
  });

  it("removes a template its dead maker left half-made, keeps one being made", async () => {
    const [root, ramDir, stateDir] = [tempDir("reap-run-"), tempDir("reap-ram-"), tempDir("reap-state-")];
    const dead = await deadProcess();
    const half = path.join(stateDir, "snapshots", "tpl-qemu-half");
    const making = path.join(stateDir, "snapshots", "tpl-qemu-making");
    for (const dir of [half, making]) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(half, "ram"), "x");
    writeOwnerRecord({ ownerPid: dead.pid, ownerStart: dead.start, backend: "qemu", runDir: half, trees: [half], files: [], createdAt: "" });
    writeOwnerRecord({ ...currentOwner(), backend: "qemu", runDir: making, trees: [making], files: [], createdAt: "" });
    const report = await reapOrphans({ stateDir, runRoot: root, ramDir });
    expect(report.removed).toEqual([half]);
    expect(fs.existsSync(making)).toBe(true);
  });

  it("costs a few ms when there is nothing to reap", async () => {
    const stateDir = tempDir("reap-state-");
    await reapOrphans({ stateDir });
    const t0 = performance.now();
    await reapOrphans({ stateDir });
    expect(performance.now() - t0).toBeLessThan(50);
  });
});
