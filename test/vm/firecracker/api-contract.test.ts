/**
 * Contract: every request the Firecracker client can send — each method, with realistic and edge inputs, and the exact
 * bodies the backend derives from VmSpecs and snapshots — conforms to Firecracker's own spec file
 * (test/fixtures/firecracker/firecracker-v1.16.1.yaml, parsed at runtime).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Snapshot, VmSpec } from "../../../src/vm/backend.js";
import {
  DEFAULT_BOOT_ARGS,
  FIRECRACKER_API_OPERATIONS,
  FirecrackerApiClient,
  MAX_VCPUS,
  applyBootPlan,
  planBoot,
  restoreRequest,
  type InstanceInfo,
  type SnapshotMeta,
} from "../../../src/vm/firecracker/index.js";
import { documentedRuleViolations } from "./support/documented-rules.js";
import { type RecordingPeer, startRecordingPeer } from "./support/recording-peer.js";
import { FIRECRACKER_SPEC_PATH, loadFirecrackerSpec, matchPathTemplate, validateRequest, validateSchema } from "./support/swagger.js";

const spec = loadFirecrackerSpec();
let tmp: string;
let peer: RecordingPeer;
let api: FirecrackerApiClient;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fc-contract-"));
  peer = await startRecordingPeer(path.join(tmp, "api.sock"));
  api = new FirecrackerApiClient({ socketPath: peer.socketPath, requestTimeoutMs: 5_000 });
});

afterAll(async () => {
  await peer.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs `send` against the recording peer and returns what reached the wire. */
async function record(send: () => Promise<unknown>) {
  const before = peer.requests.length;
  await send();
  return peer.requests.slice(before);
}

/** Schema errors plus the spec's prose constraints, for every recorded request. */
function violations(requests: { method: string; url: string; body: unknown }[]): string[] {
  return requests.flatMap((r) => [
    ...validateRequest(spec, r.method, r.url, r.body),
    ...documentedRuleViolations(spec, r.method, r.url, r.body),
  ]);
}

const baseSpec: VmSpec = { vcpus: 1, memoryMb: 256, network: false, kernelPath: "/img/vmlinux", runDir: "/run/fb/vm1" };

describe("the spec file", () => {
  it("is the real Firecracker v1.16.1 spec, loaded from the repository's own fixtures", () => {
    expect(FIRECRACKER_SPEC_PATH.endsWith(path.join("test", "fixtures", "firecracker", "firecracker-v1.16.1.yaml"))).toBe(true);
    expect(spec.info.version).toBe("1.16.1");
    expect(Object.keys(spec.definitions).length).toBeGreaterThan(20);
  });

  it.each(FIRECRACKER_API_OPERATIONS.map((op) => [op.method, op.pathTemplate]))("has %s %s", (method, template) => {
    expect(spec.paths[template]?.[method.toLowerCase()], `${method} ${template}`).toBeDefined();
  });

  it("answers the two GETs with the shapes the client's types describe", () => {
    const responses = spec.paths["/"]!.get as unknown as { responses: Record<string, { schema?: { $ref?: string } }> };
    expect(responses.responses["200"]!.schema!.$ref).toBe("#/definitions/InstanceInfo");
    const version = spec.paths["/version"]!.get as unknown as { responses: Record<string, { schema?: { $ref?: string } }> };
    expect(version.responses["200"]!.schema!.$ref).toBe("#/definitions/FirecrackerVersion");
    const info: InstanceInfo = { app_name: "Firecracker", id: "fb-1", state: "Not started", vmm_version: "1.16.1" };
    expect(validateSchema(spec, { $ref: "#/definitions/InstanceInfo" }, info, { request: false })).toEqual([]);
    for (const state of ["Not started", "Running", "Paused"] satisfies InstanceInfo["state"][]) {
      expect(validateSchema(spec, { $ref: "#/definitions/InstanceInfo" }, { ...info, state }, { request: false })).toEqual([]);
    }
  });

  it("declares the restore overrides the client uses", () => {
    const load = spec.definitions.SnapshotLoadParams!;
    expect(Object.keys(load.properties ?? {})).toEqual(expect.arrayContaining(["network_overrides", "vsock_override", "mem_backend", "resume_vm"]));
  });
});

describe("every client method sends spec-conforming requests", () => {
  const cases: [string, () => Promise<unknown>][] = [
    ["describeInstance", () => api.describeInstance()],
    ["getVersion", () => api.getVersion()],
    ["putMachineConfig minimal", () => api.putMachineConfig({ vcpu_count: 1, mem_size_mib: 128 })],
    [
      "putMachineConfig all fields at the edges",
      () => api.putMachineConfig({ vcpu_count: MAX_VCPUS, mem_size_mib: 65_536, smt: true, track_dirty_pages: true, huge_pages: "2M" }),
    ],
    ["putMachineConfig huge_pages None", () => api.putMachineConfig({ vcpu_count: 2, mem_size_mib: 512, huge_pages: "None" })],
    ["putBootSource kernel only", () => api.putBootSource({ kernel_image_path: "/img/vmlinux" })],
    [
      "putBootSource with initrd and the default boot args",
      () => api.putBootSource({ kernel_image_path: "/img/vmlinux", initrd_path: "/img/initrd.cpio.gz", boot_args: DEFAULT_BOOT_ARGS.join(" ") }),
    ],
    ["putBootSource unicode path, empty args", () => api.putBootSource({ kernel_image_path: "/tmp/ümlaut kernel", boot_args: "" })],
    ["putDrive read-only root", () => api.putDrive({ drive_id: "rootfs", path_on_host: "/img/rootfs.ext4", is_root_device: true, is_read_only: true })],
    [
      "putDrive every option",
      () =>
        api.putDrive({
          drive_id: "scratch_1",
          path_on_host: "scratch.img",
          is_root_device: false,
          is_read_only: false,
          partuuid: "0eaa91a0-01",
          cache_type: "Writeback",
          io_engine: "Async",
          rate_limiter: { bandwidth: { size: 10_485_760, refill_time: 100, one_time_burst: 0 }, ops: { size: 0, refill_time: 0 } },
        }),
    ],
    ["putVsock", () => api.putVsock({ guest_cid: 3, uds_path: "vsock.sock" })],
    ["putVsock large cid", () => api.putVsock({ guest_cid: 0xffff_fffe, uds_path: "/run/fb/vm1/vsock.sock" })],
    ["putNetworkInterface minimal", () => api.putNetworkInterface({ iface_id: "eth0", host_dev_name: "tap0" })],
    [
      "putNetworkInterface every option, mtu at the minimum",
      () =>
        api.putNetworkInterface({
          iface_id: "eth0",
          host_dev_name: "fbtap0",
          guest_mac: "06:00:AC:10:00:02",
          mtu: 68,
          rx_rate_limiter: { bandwidth: { size: 1, refill_time: 1 } },
          tx_rate_limiter: { ops: { size: 100, refill_time: 1000, one_time_burst: 10 } },
        }),
    ],
    ["putNetworkInterface mtu at the maximum", () => api.putNetworkInterface({ iface_id: "net_1", host_dev_name: "tap1", mtu: 65_535 })],
    ["putLogger empty", () => api.putLogger({})],
    [
      "putLogger every option",
      () => api.putLogger({ log_path: "firecracker.log", level: "Debug", show_level: true, show_log_origin: true, module: "api_server::request" }),
    ],
    ["putMetrics", () => api.putMetrics({ metrics_path: "metrics.json" })],
    ["instanceStart", () => api.instanceStart()],
    ["sendCtrlAltDel", () => api.sendCtrlAltDel()],
    ["flushMetrics", () => api.flushMetrics()],
    ["pause", () => api.pause()],
    ["resume", () => api.resume()],
    ["createSnapshot Full", () => api.createSnapshot({ snapshot_type: "Full", snapshot_path: "/s/vmstate.snap", mem_file_path: "/s/memory.snap" })],
    ["createSnapshot Diff", () => api.createSnapshot({ snapshot_type: "Diff", snapshot_path: "vmstate.snap", mem_file_path: "memory.snap" })],
    ["createSnapshot default type", () => api.createSnapshot({ snapshot_path: "a", mem_file_path: "b" })],
    [
      "loadSnapshot with every override",
      () =>
        api.loadSnapshot({
          snapshot_path: "/s/vmstate.snap",
          mem_backend: { backend_type: "File", backend_path: "/s/memory.snap" },
          resume_vm: true,
          track_dirty_pages: false,
          clock_realtime: true,
          vsock_override: { uds_path: "vsock.sock" },
          network_overrides: [{ iface_id: "eth0", host_dev_name: "tap7" }],
        }),
    ],
    ["loadSnapshot uffd, paused", () => api.loadSnapshot({ snapshot_path: "s", mem_backend: { backend_type: "Uffd", backend_path: "uffd.sock" } })],
  ];

  it.each(cases)("%s", async (_name, send) => {
    const requests = await record(send);
    expect(requests).toHaveLength(1);
    expect(violations(requests)).toEqual([]);
  });

  it("frames bodies the way Firecracker's HTTP server needs: JSON with Content-Length, never chunked", async () => {
    const [put] = await record(() => api.putMachineConfig({ vcpu_count: 2, mem_size_mib: 256 }));
    expect(put!.headers["content-type"]).toBe("application/json");
    expect(put!.headers["transfer-encoding"]).toBeUndefined();
    expect(Number(put!.headers["content-length"])).toBe(Buffer.byteLength(put!.rawBody));
    const [get] = await record(() => api.describeInstance());
    expect(get!.rawBody).toBe("");
  });

  it("exercises exactly the operations it declares, each of which is in the spec", () => {
    const used = new Set(
      peer.requests.map((r) => `${r.method} ${matchPathTemplate(spec, r.url)?.template ?? `UNMATCHED ${r.url}`}`),
    );
    const declared = new Set(FIRECRACKER_API_OPERATIONS.map((op) => `${op.method} ${op.pathTemplate}`));
    expect([...used].sort()).toEqual([...declared].sort());
  });
});

describe("the bodies the backend derives from a VmSpec conform", () => {
  const specs: [string, VmSpec, Parameters<typeof planBoot>[1]][] = [
    ["smallest VM", { ...baseSpec }, { kernelPath: "/img/vmlinux" }],
    ["initrd, sized disk, extra cmdline", { ...baseSpec, diskMb: 512, initrdPath: "/img/initrd", extraCmdline: ["loglevel=3", "firebreak.debug"] }, { kernelPath: "/img/vmlinux", initrdPath: "/img/initrd" }],
    ["max vCPUs and large memory", { ...baseSpec, vcpus: MAX_VCPUS, memoryMb: 32_768 }, { kernelPath: "/img/vmlinux" }],
    [
      "network with tap, mac and static IPv4",
      { ...baseSpec, network: true },
      { kernelPath: "/img/vmlinux", tapDevice: "fbtap0", guestMac: "06:00:0a:00:00:02", guestIpv4: { address: "10.0.0.2/30", gateway: "10.0.0.1", dns: "1.1.1.1" } },
    ],
    ["network asked for but no tap configured", { ...baseSpec, network: true }, { kernelPath: "/img/vmlinux" }],
    ["jailed names, custom cid and agent port", { ...baseSpec }, { kernelPath: "vmlinux", initrdPath: "initrd", guestCid: 42, agentVsockPort: 52 }],
  ];

  it.each(specs)("%s", async (_name, vmSpec, settings) => {
    const plan = planBoot(vmSpec, settings);
    const requests = await record(() => applyBootPlan(api, plan));
    expect(violations(requests)).toEqual([]);
    expect(requests.map((r) => `${r.method} ${r.url}`).at(-1)).toBe("PUT /actions");
    expect(requests.at(-1)!.body).toEqual({ action_type: "InstanceStart" });
  });

  const snapshot: Snapshot = { id: "s1", backend: "firecracker", dir: "/var/lib/fb/snap/s1", spec: baseSpec, createdAt: "2026-11-26T00:00:00Z" };
  const meta: SnapshotMeta = { format: 1, id: "s1", createdAt: snapshot.createdAt, hasNic: false, agentVsockPort: 1024, vcpus: 1, memoryMb: 256 };
  const restores: [string, VmSpec, SnapshotMeta, { tapDevice?: string; jailed: boolean }][] = [
    ["plain restore", baseSpec, meta, { jailed: false }],
    ["jailed restore", baseSpec, meta, { jailed: true }],
    ["restore with a NIC re-pointed to a new tap", { ...baseSpec, network: true }, { ...meta, hasNic: true }, { tapDevice: "fbtap9", jailed: false }],
    ["restore asking for network from a NIC-less snapshot", { ...baseSpec, network: true }, meta, { jailed: false }],
  ];

  it.each(restores)("%s", async (_name, vmSpec, m, options) => {
    const { body } = restoreRequest(snapshot, vmSpec, m, options);
    const requests = await record(() => api.loadSnapshot(body));
    expect(violations(requests)).toEqual([]);
  });
});
