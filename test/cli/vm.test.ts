import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolvePaths } from "../../src/paths.js";
import { findGuestImage } from "../../src/vm/image/builder.js";
import { spawn } from "node:child_process";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { alive, childPids, waitFor } from "../helpers/proc.js";
import { REPO_ROOT, writeTree } from "../helpers/tmp.js";

// The guest image is built by `npm test`'s setup into the machine's state dir; these tests use it
// through `[vm] cache_dir` while everything else (config, audit) stays in a temp home.
const IMAGE_STATE_DIR = resolvePaths(process.env).stateDir;
const image = await findGuestImage({ stateDir: IMAGE_STATE_DIR }).catch(() => undefined);
const missing = image ? undefined : `no guest image in ${IMAGE_STATE_DIR} (run: firebreak vm image build)`;

let env: NodeJS.ProcessEnv;
let project: string;
const cli = (...args: string[]) => runCli(args, { cwd: project, env });

beforeAll(() => {
  // In CI the image must exist: a missing image is a failure, not a skip.
  if (process.env.CI && missing) throw new Error(missing);
});

beforeEach(() => {
  ({ project, env } = freshCliProject());
  writeTree(project, { "firebreak.toml": `[vm]\nbackend = "qemu"\ncache_dir = ${JSON.stringify(IMAGE_STATE_DIR)}\n`, "app/index.html": "<h1>app</h1>\n" });
});

describe.skipIf(Boolean(missing) && !process.env.CI)(`microVM through the CLI${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("vm exec prints the guest's output and exits with its status", async () => {
    const r = await cli("vm", "exec", "--", "echo hi; exit 3");
    expect(r.stdout).toBe("hi\n");
    expect(r.code).toBe(3);
  });

  it("vm exec --snapshot runs on the guest kernel, not the host's", async () => {
    const r = await cli("vm", "exec", "--snapshot", "--", "uname -r");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(image!.kernelRelease);
    expect(r.stdout.trim()).not.toBe(os.release());
  });

  it("runs deploy's dry run inside a VM on a copy of the workspace, and says where it ran", async () => {
    const r = await cli("run", "deploy", "staging", "--dry-run");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("deploy: staging release");
    expect(r.stdout).toContain("staging release"); // files: firebreak.toml and app/index.html
    expect(r.stdout).toContain(": 2 files");
    expect(r.stdout).toContain(`kernel ${image!.kernelRelease}`);
    expect(r.stderr).toContain("deploy → microVM");
    expect(r.stderr).toMatch(/ran in a microVM: qemu [0-9a-f]+, guest kernel/);
    const [record] = JSON.parse((await cli("audit", "tail", "-n", "1", "--json")).stdout) as { placement: string; exit_status: number }[];
    expect(record).toMatchObject({ placement: "vm", exit_status: 0 });
  });

  it("backup runs in a microVM and its archive arrives through the changeset, byte-identical to what the VM hashed", async () => {
    const r = await cli("run", "backup", "app");
    expect(r.code).toBe(0);
    const archive = /applied to the host \(apply_changes = auto\): (backup-\S+\.tar\.gz)/.exec(r.stderr)?.[1];
    expect(archive).toBeDefined();
    const listing = execFileSync("tar", ["-tzf", path.join(project, archive!)], { encoding: "utf8" });
    expect(listing.split("\n")).toContain("app/index.html");
    const sha = /^([0-9a-f]{64}) {2}backup-/m.exec(r.stdout)?.[1];
    expect(createHash("sha256").update(fs.readFileSync(path.join(project, archive!))).digest("hex")).toBe(sha);
  });

  it("a command's timeout in the VM ends with 124", async () => {
    writeTree(project, { ".firebreak/commands/slow.md": "---\nname: slow\ndescription: sleeps\nexecution_mode: firecracker\ntimeout: 1\ncommand: sleep 30\n---\n" });
    const r = await cli("run", "slow");
    expect(r.code).toBe(124);
  });

  it("vm bench --json reports medians, extremes and the restore/cold ratio", async () => {
    const r = await cli("vm", "bench", "--runs", "1", "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, { median: number; min: number; max: number } | number>;
    for (const key of ["cold_boot_ms", "restore_ms", "exec_rtt_ms"]) {
      expect(report[key]).toEqual({ median: expect.any(Number), min: expect.any(Number), max: expect.any(Number) });
    }
    const cold = report.cold_boot_ms as { median: number };
    const restore = report.restore_ms as { median: number };
    expect(report.restore_to_cold).toBeCloseTo(restore.median / cold.median, 2);
  });

  it("vm snapshot create, list and rm manage template snapshots", async () => {
    const created = await cli("vm", "snapshot", "create", "--memory", "160");
    expect(created.code).toBe(0);
    const name = /(?:created|exists): (tpl-qemu-160m-\S+)/.exec(created.stdout)?.[1];
    expect(name).toBeDefined();
    const listed = JSON.parse((await cli("vm", "snapshot", "list", "--json")).stdout) as { name: string; usable: boolean }[];
    expect(listed).toContainEqual(expect.objectContaining({ name, usable: true }));
    expect((await cli("vm", "snapshot", "rm", name!)).code).toBe(0);
    const after = JSON.parse((await cli("vm", "snapshot", "list", "--json")).stdout) as { name: string }[];
    expect(after.map((s) => s.name)).not.toContain(name);
    expect((await cli("vm", "snapshot", "rm", name!)).stderr).toContain("no snapshot named");
  });

  it("stopping firebreak mid-command kills its QEMU and removes the VM's files", async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/firebreak.js"), "vm", "exec", "--", "echo started; sleep 30"], { cwd: project, env });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    expect(await waitFor(() => out.includes("started"), 30_000)).toBe(true);
    const qemus = childPids(child.pid!, "qemu-system");
    expect(qemus.length).toBe(1);
    const runDir = /(\/tmp\/fbvm-[A-Za-z0-9]+)/.exec(fs.readFileSync(`/proc/${qemus[0]}/cmdline`, "utf8"))?.[1];
    expect(runDir).toBeDefined();
    child.kill("SIGINT");
    expect(await new Promise((resolve) => child.on("close", resolve))).toBe(130);
    expect(await waitFor(() => !alive(qemus[0]!), 5_000)).toBe(true);
    expect(fs.existsSync(runDir!)).toBe(false);
  });

  it("vm doctor names the selected backend and the image", async () => {
    const r = await cli("vm", "doctor", "--json");
    const report = JSON.parse(r.stdout) as { selected: string; image: { key: string } };
    expect(report.selected).toBe("qemu");
    expect(report.image.key).toBe(image!.key);
  });
});
