/**
 * The contract test is only worth something if its validator rejects wrong bodies. These cases prove it does, for each
 * kind of check, using the real spec's definitions.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unixHttpRequest } from "../../../src/vm/firecracker/index.js";
import { documentedRuleViolations } from "./support/documented-rules.js";
import { type RecordingPeer, startRecordingPeer } from "./support/recording-peer.js";
import { loadFirecrackerSpec, matchPathTemplate, resolveRef, validateRequest, validateSchema } from "./support/swagger.js";

const spec = loadFirecrackerSpec();
const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

describe("validateSchema rejects", () => {
  const cases: [string, string, unknown, RegExp][] = [
    ["a missing required field", "MachineConfiguration", { mem_size_mib: 128 }, /missing required property "vcpu_count"/],
    ["a wrong type (string for integer)", "MachineConfiguration", { vcpu_count: "2", mem_size_mib: 128 }, /\$\.vcpu_count: expected integer/],
    ["a fraction for an integer", "MachineConfiguration", { vcpu_count: 1.5, mem_size_mib: 128 }, /expected integer/],
    ["a value above the maximum", "MachineConfiguration", { vcpu_count: 33, mem_size_mib: 128 }, /above the maximum 32/],
    ["a value below the minimum", "MachineConfiguration", { vcpu_count: 0, mem_size_mib: 128 }, /below the minimum 1/],
    ["a value outside an enum", "Vm", { state: "Stopped" }, /"Stopped" is not one of/],
    ["an enum through a $ref", "MachineConfiguration", { vcpu_count: 1, mem_size_mib: 1, cpu_template: "Fast" }, /cpu_template: "Fast" is not one of/],
    ["an unknown property (Firecracker denies unknown fields)", "BootSource", { kernel_image_path: "/k", kernel_args: "x" }, /unknown property "kernel_args"/],
    ["a wrong type for boolean", "Drive", { drive_id: "a", is_root_device: "false" }, /is_root_device: expected boolean/],
    ["null for a string", "BootSource", { kernel_image_path: null }, /expected string, got null/],
    ["an array where an object belongs", "Vsock", [], /expected object, got array/],
    [
      "a nested $ref's enum",
      "SnapshotLoadParams",
      { snapshot_path: "s", mem_backend: { backend_type: "Disk", backend_path: "m" } },
      /\$\.mem_backend\.backend_type: "Disk" is not one of/,
    ],
    [
      "an array item missing a required field",
      "SnapshotLoadParams",
      { snapshot_path: "s", network_overrides: [{ iface_id: "eth0" }] },
      /\$\.network_overrides\[0\]: missing required property "host_dev_name"/,
    ],
    ["an array where items are required to be objects", "SnapshotLoadParams", { snapshot_path: "s", network_overrides: "eth0" }, /expected array/],
    [
      "a nested token bucket below its minimum",
      "NetworkInterface",
      { iface_id: "e", host_dev_name: "t", rx_rate_limiter: { bandwidth: { size: -1, refill_time: 1 } } },
      /rx_rate_limiter\.bandwidth\.size: -1 is below the minimum 0/,
    ],
    ["an MTU below 68", "NetworkInterface", { iface_id: "e", host_dev_name: "t", mtu: 67 }, /mtu: 67 is below the minimum 68/],
    ["a guest CID below 3", "Vsock", { guest_cid: 2, uds_path: "v" }, /guest_cid: 2 is below the minimum 3/],
    ["an int32 overflow", "CpuidLeafModifier", { leaf: "0", subleaf: "0", flags: 2 ** 31, modifiers: [] }, /outside int32/],
  ];

  it.each(cases)("%s", (_name, definition, body, expected) => {
    const errors = validateSchema(spec, ref(definition), body);
    expect(errors.join("\n")).toMatch(expected);
  });

  it("accepts additional properties where the spec allows them", () => {
    expect(validateSchema(spec, ref("MmdsContentsObject"), { anything: { nested: [1] } })).toEqual([]);
  });

  it("rejects readOnly properties in a request", () => {
    expect(validateSchema(spec, ref("Error"), { fault_message: "x" }).join()).toMatch(/readOnly/);
  });

  it("throws on an unresolvable $ref instead of passing silently", () => {
    expect(() => resolveRef(spec, "#/definitions/NoSuchThing")).toThrow(/unresolvable/);
    expect(() => validateSchema(spec, ref("NoSuchThing"), {})).toThrow(/unresolvable/);
  });
});

describe("validateRequest rejects", () => {
  it("a path the spec does not have", () => {
    expect(validateRequest(spec, "PUT", "/machine-configuration", {})).toEqual(["PUT /machine-configuration: no such path in the spec"]);
  });

  it("a method the path does not support", () => {
    expect(validateRequest(spec, "DELETE", "/vm", undefined)[0]).toMatch(/has no DELETE/);
    expect(validateRequest(spec, "PUT", "/vm", { state: "Paused" })[0]).toMatch(/has no PUT/);
  });

  it("a missing required body", () => {
    expect(validateRequest(spec, "PUT", "/actions", undefined)[0]).toMatch(/required body missing/);
  });

  it("a body on an operation that takes none", () => {
    expect(validateRequest(spec, "GET", "/version", {})[0]).toMatch(/takes no body/);
  });

  it("maps concrete paths to templates with their parameters", () => {
    expect(matchPathTemplate(spec, "/drives/rootfs")).toEqual({ template: "/drives/{drive_id}", params: { drive_id: "rootfs" } });
    expect(matchPathTemplate(spec, "/drives/")).toBeUndefined();
  });
});

describe("documented (prose) rules", () => {
  it("snapshot load needs exactly one mem_* field", () => {
    const both = { snapshot_path: "s", mem_file_path: "m", mem_backend: { backend_type: "File", backend_path: "m" } };
    expect(documentedRuleViolations(spec, "PUT", "/snapshot/load", both)[0]).toMatch(/exactly one/);
    expect(documentedRuleViolations(spec, "PUT", "/snapshot/load", { snapshot_path: "s" })[0]).toMatch(/exactly one/);
  });

  it("drive and NIC ids in body and path agree; virtio-block drives name their file", () => {
    const drive = { drive_id: "a", is_root_device: false };
    expect(documentedRuleViolations(spec, "PUT", "/drives/b", drive).join()).toMatch(/differs.*path_on_host.*is_read_only/s);
    expect(documentedRuleViolations(spec, "PUT", "/network-interfaces/eth1", { iface_id: "eth0", host_dev_name: "t" })[0]).toMatch(/differs/);
  });

  it("smt needs 1 or an even vCPU count", () => {
    expect(documentedRuleViolations(spec, "PUT", "/machine-config", { vcpu_count: 3, mem_size_mib: 1, smt: true })[0]).toMatch(/even/);
  });
});

describe("a wrong body sent over the wire is caught by the contract check", () => {
  let tmp: string;
  let peer: RecordingPeer;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fc-neg-"));
    peer = await startRecordingPeer(path.join(tmp, "api.sock"));
  });
  afterAll(async () => {
    await peer.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("flags a recorded request with a misspelt field and a string count", async () => {
    await unixHttpRequest({
      socketPath: peer.socketPath,
      method: "PUT",
      path: "/machine-config",
      body: { vcpus: "2", mem_size_mib: 256 },
      timeoutMs: 2_000,
    });
    const [recorded] = peer.requests;
    const errors = validateRequest(spec, recorded!.method, recorded!.url, recorded!.body);
    expect(errors.join("\n")).toMatch(/missing required property "vcpu_count"/);
    expect(errors.join("\n")).toMatch(/unknown property "vcpus"/);
  });
});
