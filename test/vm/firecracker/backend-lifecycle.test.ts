/**
 * The backend's whole lifecycle — spawn, API wait, configuration, start, console capture, phases, vsock agent
 * connection, snapshot, restore, failure cleanup, destroy — driven against the test peer `support/fake-firecracker.mjs`
 * (a stand-in executable, since this machine has no Firecracker). Every request the backend sent is validated against
 * the real spec file. The real thing runs in integration.test.ts where Firecracker and KVM exist.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FirecrackerApiError, VmError } from "../../../src/errors.js";
import { AgentClient } from "../../../src/vm/agent/index.js";
import type { VmHandle, VmSpec } from "../../../src/vm/backend.js";
import { FirecrackerBackend, type FirecrackerBackendOptions, SNAPSHOT_META_FILE } from "../../../src/vm/firecracker/index.js";
import { documentedRuleViolations } from "./support/documented-rules.js";
import { loadFirecrackerSpec, validateRequest } from "./support/swagger.js";
import { startUnixAgent } from "../agent/agent-process.js";
import { type RecordingAgent, startRecordingAgent } from "./support/recording-agent.js";

/** A restore's handshake goes to a stand-in agent: the clone's Firecracker relays its vsock connections there. */
async function withRestoreAgent(): Promise<RecordingAgent> {
  const agent = await startRecordingAgent();
  restoreAgents.push(agent);
  process.env.FAKE_FC_AGENT_UDS = agent.socketPath;
  return agent;
}
const restoreAgents: RecordingAgent[] = [];

/** The restore proved the agent and set the clock and reseeded the RNG, in that connection, before anything else. */
function expectReseeded(agent: RecordingAgent, before: number): void {
  expect(agent.requests.map((r) => r.type)).toEqual(["hello", "settime", "reseed"]);
  expect(agent.requests[0]!.header.reset).toBe(true);
  const epochMs = agent.requests[1]!.header.epoch_ms as number;
  expect(epochMs).toBeGreaterThanOrEqual(before);
  expect(epochMs).toBeLessThanOrEqual(Date.now());
  expect(agent.requests[2]!.payloadBytes).toBeGreaterThan(0);
}

const spec = loadFirecrackerSpec();
const SUPPORT_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), "support");
const FAKE_SOURCE = path.join(SUPPORT_DIR, "fake-firecracker.mjs");
const FAKE_JAILER_SOURCE = path.join(SUPPORT_DIR, "fake-jailer.sh");

let tmp: string;
let binary: string;
let recordFile: string;
let kernelPath: string;
let initrdPath: string;
const live: { backend: FirecrackerBackend; vm: VmHandle }[] = [];

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fc-life-"));
  binary = path.join(tmp, "bin", "firecracker");
  fs.mkdirSync(path.dirname(binary));
  fs.copyFileSync(FAKE_SOURCE, binary);
  fs.chmodSync(binary, 0o755);
  recordFile = path.join(tmp, "requests.jsonl");
  kernelPath = path.join(tmp, "vmlinux");
  initrdPath = path.join(tmp, "initrd.cpio.gz");
  fs.writeFileSync(kernelPath, "kernel");
  fs.writeFileSync(initrdPath, "initrd");
  process.env.FAKE_FC_RECORD = recordFile;
  delete process.env.FAKE_FC_FAIL;
  delete process.env.FAKE_FC_EXIT_EARLY;
  delete process.env.FAKE_FC_AGENT_UDS;
});

afterEach(async () => {
  for (const { backend, vm } of live.splice(0)) await backend.destroy(vm);
  for (const agent of restoreAgents.splice(0)) await agent.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function backendWith(options: FirecrackerBackendOptions = {}): FirecrackerBackend {
  return new FirecrackerBackend({ binary, agentConnectTimeoutMs: 5_000, ...options });
}

function vmSpec(name: string, patch: Partial<VmSpec> = {}): VmSpec {
  return { vcpus: 1, memoryMb: 128, network: false, kernelPath, initrdPath, runDir: path.join(tmp, name), ...patch };
}

async function boot(backend: FirecrackerBackend, s: VmSpec): Promise<VmHandle> {
  const vm = await backend.boot(s);
  live.push({ backend, vm });
  return vm;
}

function recorded(): { method: string; url: string; body: unknown }[] {
  if (!fs.existsSync(recordFile)) return [];
  return fs.readFileSync(recordFile, "utf8").trim().split("\n").map((line) => JSON.parse(line));
}

function specViolations(): string[] {
  return recorded().flatMap((r) => [...validateRequest(spec, r.method, r.url, r.body), ...documentedRuleViolations(spec, r.method, r.url, r.body)]);
}

/** Processes whose working directory is `dir` (Firecracker runs in its runDir). */
function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${entry}/cwd`).replace(/ \(deleted\)$/, "");
      if (cwd === dir) pids.push(Number(entry));
    } catch {
      // gone or not ours
    }
  }
  return pids;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}

async function echo(stream: Duplex, text: string): Promise<string> {
  let got = "";
  stream.on("data", (d: Buffer) => {
    got += d.toString();
  });
  stream.write(text);
  await eventually(() => got.length >= text.length, "echo");
  return got;
}

describe("boot", () => {
  it("configures a fresh process in order, starts it, captures the console and reaches the agent", async () => {
    const backend = backendWith();
    const s = vmSpec("vm1", { vcpus: 2, memoryMb: 256, diskMb: 64 });
    const vm = await boot(backend, s);

    expect(vm.backend).toBe("firecracker");
    expect(vm.phases.spawn).toBe(0);
    expect(vm.phases.vmmReady).toBeGreaterThanOrEqual(0);
    const calls = recorded().map((r) => `${r.method} ${r.url}`).filter((c) => c !== "GET /");
    expect(calls).toEqual(["PUT /machine-config", "PUT /boot-source", "PUT /vsock", "PUT /actions"]);
    expect(recorded().find((r) => r.url === "/machine-config")!.body).toEqual({ vcpu_count: 2, mem_size_mib: 256 });
    expect(recorded().find((r) => r.url === "/boot-source")!.body).toMatchObject({ kernel_image_path: kernelPath, initrd_path: initrdPath });
    expect(specViolations()).toEqual([]);

    await eventually(() => vm.phases.init !== undefined, "init marker on the console");
    expect(vm.phases.kernelStart).toBeDefined();
    expect(vm.consoleLog).toBe(path.join(s.runDir, "console.log"));
    expect(fs.readFileSync(vm.consoleLog, "utf8")).toContain("Linux version 6.1.0-testpeer");

    const agent = await vm.connectAgent();
    expect(vm.phases.agentReady).toBeDefined();
    expect(await echo(agent, "hello")).toBe("hello");
    agent.destroy();
  });

  it("destroy kills and reaps the process and removes everything it created; twice is fine", async () => {
    const backend = backendWith();
    const s = vmSpec("vm2");
    const vm = await backend.boot(s);
    expect(processesIn(s.runDir)).toHaveLength(1);

    await backend.destroy(vm);
    expect(await vm.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(fs.existsSync(s.runDir)).toBe(false);
    expect(processesIn(s.runDir)).toEqual([]);
    await backend.destroy(vm);
    await expect(vm.connectAgent()).rejects.toThrow(/destroyed/);
  });

  it("in a runDir it did not create, removes only its own files", async () => {
    const backend = backendWith();
    const s = vmSpec("shared");
    fs.mkdirSync(s.runDir);
    fs.writeFileSync(path.join(s.runDir, "keep.txt"), "mine");
    const vm = await backend.boot(s);
    await backend.destroy(vm);
    expect(fs.readdirSync(s.runDir)).toEqual(["keep.txt"]);
  });

  it("reports network as unenforced without a tap device and sends no NIC", async () => {
    const vm = await boot(backendWith(), vmSpec("net", { network: true }));
    expect(vm.unenforced).toEqual([{ limit: "network_access", reason: expect.stringMatching(/no tap device/) }]);
    expect(recorded().some((r) => r.url.startsWith("/network-interfaces"))).toBe(false);
  });

  it("attaches the configured tap device when network is allowed", async () => {
    const vm = await boot(backendWith({ tapDevice: "fbtap0" }), vmSpec("net2", { network: true }));
    // The tap reaches what the host routes it to: the loopback/private/metadata block is not firebreak's there (issue 11).
    expect(vm.unenforced.map((u) => u.limit)).toEqual(["network_allow"]);
    expect(recorded().find((r) => r.url === "/network-interfaces/eth0")!.body).toEqual({ iface_id: "eth0", host_dev_name: "fbtap0" });
    expect(specViolations()).toEqual([]);
  });

  it("fails fast when the agent connection is attempted after the VMM died", async () => {
    const vm = await boot(backendWith(), vmSpec("dies"));
    process.kill(processesIn(vmSpec("dies").runDir)[0]!, "SIGKILL");
    await vm.exited;
    await expect(vm.connectAgent()).rejects.toThrow(/exited \(signal SIGKILL\)/);
  });
});

describe("the agent protocol through the vsock handshake", () => {
  it("speaks to the real guest agent (run on the host) through connectAgent: greeting, hello, exec", async () => {
    const agentProcess = await startUnixAgent();
    try {
      process.env.FAKE_FC_AGENT_UDS = agentProcess.socketPath;
      const vm = await boot(backendWith(), vmSpec("agent"));
      const client = new AgentClient(await vm.connectAgent());
      // The agent greets at once, so its first bytes can share a chunk with "OK <n>\n": none may be lost.
      const hello = await client.hello();
      expect(hello.protocol).toBeGreaterThan(0);
      const result = await client.exec({ script: "echo hi; echo err >&2; exit 3" }, { collect: true });
      expect(result.stdout?.toString()).toBe("hi\n");
      expect(result.stderr?.toString()).toBe("err\n");
      expect(result.exitCode).toBe(3);
      client.close();
    } finally {
      await agentProcess.stop();
    }
  });
});

describe("boot failures leave nothing behind", () => {
  it("an API error during configuration becomes FirecrackerApiError, and the process and files are gone", async () => {
    process.env.FAKE_FC_FAIL = "PUT /boot-source";
    const s = vmSpec("fail");
    const err = await backendWith().boot(s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FirecrackerApiError);
    expect((err as FirecrackerApiError).faultMessage).toBe("test peer refuses PUT /boot-source");
    expect(fs.existsSync(s.runDir)).toBe(false);
    expect(processesIn(s.runDir)).toEqual([]);
  });

  it("a process that exits before its API answers is reported with its console tail", async () => {
    process.env.FAKE_FC_EXIT_EARLY = "1";
    const s = vmSpec("early");
    await expect(backendWith().boot(s)).rejects.toThrow(/exited \(code 1\) before its API socket answered.*exiting early as asked/s);
    expect(fs.existsSync(s.runDir)).toBe(false);
  });

  it("a missing binary or kernel is refused before anything is created", async () => {
    const s = vmSpec("nobin");
    await expect(backendWith({ binary: path.join(tmp, "nope") }).boot(s)).rejects.toThrow(/no executable/);
    await expect(backendWith().boot({ ...s, kernelPath: path.join(tmp, "missing-vmlinux") })).rejects.toThrow(/guest image file not found/);
    expect(fs.existsSync(s.runDir)).toBe(false);
  });

  it("a runDir too deep for a Unix socket path is refused before spawning", async () => {
    const s = vmSpec(`deep/${"d".repeat(100)}`);
    await expect(backendWith().boot(s)).rejects.toThrow(/longer than 107 bytes/);
    expect(fs.existsSync(s.runDir)).toBe(false);
  });

  it("refuses handles from another backend", async () => {
    const foreign = { id: "x", backend: "qemu" } as unknown as VmHandle;
    await expect(backendWith().destroy(foreign)).rejects.toThrow(VmError);
    await expect(backendWith().snapshot(foreign, path.join(tmp, "s"))).rejects.toThrow(/not created by the firecracker backend/);
  });
});

describe("snapshot and restore", () => {
  it("pauses, writes a full snapshot, resumes; a restore is a new process that loads it and reaches the agent", async () => {
    const backend = backendWith();
    const original = await boot(backend, vmSpec("orig", { diskMb: 32 }));
    const dir = path.join(tmp, "snap");

    const snapshot = await backend.snapshot(original, dir);
    expect(snapshot.backend).toBe("firecracker");
    expect(fs.readdirSync(dir).sort()).toEqual([SNAPSHOT_META_FILE, "memory.snap", "vmstate.snap"]);
    const calls = recorded().map((r) => `${r.method} ${r.url}`).filter((c) => c !== "GET /");
    expect(calls.slice(-3)).toEqual(["PATCH /vm", "PUT /snapshot/create", "PATCH /vm"]);
    expect(recorded().find((r) => r.url === "/snapshot/create")!.body).toEqual({
      snapshot_type: "Full",
      snapshot_path: path.join(dir, "vmstate.snap"),
      mem_file_path: path.join(dir, "memory.snap"),
    });
    // The original keeps running after the snapshot.
    const first = await original.connectAgent();
    expect(await echo(first, "still here")).toBe("still here");
    first.destroy();

    const restoredSpec = vmSpec("clone", { diskMb: 32 });
    const guestAgent = await withRestoreAgent();
    const before = Date.now();
    const clone = await backend.restore(snapshot, restoredSpec);
    live.push({ backend, vm: clone });
    expect(clone.id).not.toBe(original.id);
    expect(clone.phases.restore).toBeDefined();
    const load = recorded().find((r) => r.url === "/snapshot/load")!;
    expect(load.body).toEqual({
      snapshot_path: path.join(dir, "vmstate.snap"),
      mem_backend: { backend_type: "File", backend_path: path.join(dir, "memory.snap") },
      resume_vm: true,
      vsock_override: { uds_path: "vsock.sock" },
    });
    expect(specViolations()).toEqual([]);

    expectReseeded(guestAgent, before);
    // The first command uses the connection the handshake proved.
    const client = new AgentClient(await clone.connectAgent());
    await client.ping();
    expect(guestAgent.requests.map((r) => r.type)).toEqual(["hello", "settime", "reseed", "ping"]);
    client.close();
    await backend.destroy(clone);
    expect(fs.existsSync(restoredSpec.runDir)).toBe(false);
    expect(fs.existsSync(path.join(dir, "memory.snap"))).toBe(true);
  });

  it("refuses to restore into a different shape, before spawning", async () => {
    const backend = backendWith();
    const original = await boot(backend, vmSpec("orig2"));
    const snapshot = await backend.snapshot(original, path.join(tmp, "snap2"));
    const s = vmSpec("bigger", { memoryMb: 512 });
    await expect(backend.restore(snapshot, s)).rejects.toThrow(/128 MiB/);
    expect(fs.existsSync(s.runDir)).toBe(false);
  });

  it("refuses a snapshot whose files are missing", async () => {
    const backend = backendWith();
    const original = await boot(backend, vmSpec("orig3"));
    const snapshot = await backend.snapshot(original, path.join(tmp, "snap3"));
    fs.rmSync(path.join(snapshot.dir, "memory.snap"));
    await expect(backend.restore(snapshot, vmSpec("c3"))).rejects.toThrow(/memory\.snap is missing/);
  });
});

describe("jailed", () => {
  let jailer: FirecrackerBackendOptions["jailer"];
  let jailerRecord: string;
  beforeEach(() => {
    const binaryPath = path.join(tmp, "bin", "jailer");
    fs.copyFileSync(FAKE_JAILER_SOURCE, binaryPath);
    fs.chmodSync(binaryPath, 0o755);
    jailerRecord = path.join(tmp, "jailer-args.txt");
    process.env.FAKE_JAILER_RECORD = jailerRecord;
    jailer = { binaryPath, uid: process.getuid!(), gid: process.getgid!(), chrootBaseDir: path.join(tmp, "jails") };
  });
  afterEach(() => {
    delete process.env.FAKE_JAILER_RECORD;
  });

  it("boots inside the jail with the image linked in, snapshots out of it, restores into a new jail, removes jails", async () => {
    const backend = backendWith({ jailer });
    const vm = await boot(backend, vmSpec("jailed"));
    const jailDir = path.join(tmp, "jails", "firecracker", vm.id);
    const args = fs.readFileSync(jailerRecord, "utf8").trim().split(" ");
    expect(args.slice(0, 2)).toEqual(["--id", vm.id]);
    expect(args.slice(args.indexOf("--"))).toEqual(["--", "--api-sock", "api.sock"]);
    expect(fs.readFileSync(path.join(jailDir, "root", "vmlinux"), "utf8")).toBe("kernel");
    expect(recorded().find((r) => r.url === "/boot-source")!.body).toMatchObject({ kernel_image_path: "vmlinux", initrd_path: "initrd" });
    const first = await vm.connectAgent();
    expect(await echo(first, "jailed")).toBe("jailed");
    first.destroy();

    const snapDir = path.join(tmp, "jsnap");
    const snapshot = await backend.snapshot(vm, snapDir);
    expect(recorded().find((r) => r.url === "/snapshot/create")!.body).toEqual({
      snapshot_type: "Full",
      snapshot_path: "vmstate.snap",
      mem_file_path: "memory.snap",
    });
    expect(fs.readdirSync(snapDir).sort()).toEqual([SNAPSHOT_META_FILE, "memory.snap", "vmstate.snap"]);
    expect(fs.existsSync(path.join(jailDir, "root", "memory.snap"))).toBe(false);

    const guestAgent = await withRestoreAgent();
    const before = Date.now();
    const clone = await backend.restore(snapshot, vmSpec("jclone"));
    live.push({ backend, vm: clone });
    expectReseeded(guestAgent, before);
    expect(recorded().find((r) => r.url === "/snapshot/load")!.body).toMatchObject({
      snapshot_path: "vmstate.snap",
      mem_backend: { backend_type: "File", backend_path: "memory.snap" },
    });
    const client = new AgentClient(await clone.connectAgent());
    await client.ping();
    client.close();
    expect(specViolations()).toEqual([]);

    await backend.destroy(clone);
    await backend.destroy(vm);
    expect(fs.readdirSync(path.join(tmp, "jails", "firecracker"))).toEqual([]);
    expect(fs.existsSync(path.join(snapDir, "memory.snap"))).toBe(true);
  });
});
