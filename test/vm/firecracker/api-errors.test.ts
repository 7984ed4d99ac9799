import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FirecrackerApiError, FirecrackerConnectionError, VmError } from "../../../src/errors.js";
import { FirecrackerApiClient } from "../../../src/vm/firecracker/index.js";
import { type PeerAnswer, type RecordingPeer, startRecordingPeer } from "./support/recording-peer.js";
import { loadFirecrackerSpec, validateSchema } from "./support/swagger.js";

let tmp: string;
let peer: RecordingPeer | undefined;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fc-err-"));
});
afterEach(async () => {
  await peer?.close();
  peer = undefined;
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function clientAnswering(answer: PeerAnswer, timeoutMs = 2_000) {
  peer = await startRecordingPeer(path.join(tmp, "api.sock"), () => answer);
  return new FirecrackerApiClient({ socketPath: peer.socketPath, requestTimeoutMs: timeoutMs });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("error responses become FirecrackerApiError", () => {
  it("400 with fault_message (the spec's Error schema)", async () => {
    const faultBody = { fault_message: "The requested operation is not supported after starting the microVM." };
    expect(validateSchema(loadFirecrackerSpec(), { $ref: "#/definitions/Error" }, faultBody, { request: false })).toEqual([]);
    const api = await clientAnswering({ status: 400, body: JSON.stringify(faultBody) });

    const err = await caught(api.putBootSource({ kernel_image_path: "/k" }));
    expect(err).toBeInstanceOf(FirecrackerApiError);
    expect(err).toBeInstanceOf(VmError);
    const apiErr = err as FirecrackerApiError;
    expect(apiErr.status).toBe(400);
    expect(apiErr.method).toBe("PUT");
    expect(apiErr.path).toBe("/boot-source");
    expect(apiErr.faultMessage).toBe(faultBody.fault_message);
    expect(apiErr.message).toContain("PUT /boot-source failed with 400");
  });

  it("500 with a non-JSON body keeps the raw text", async () => {
    const api = await clientAnswering({ status: 500, body: "internal oops" });
    const err = (await caught(api.pause())) as FirecrackerApiError;
    expect(err).toBeInstanceOf(FirecrackerApiError);
    expect(err.status).toBe(500);
    expect(err.path).toBe("/vm");
    expect(err.faultMessage).toBe("internal oops");
  });

  it("an error with an empty body says so", async () => {
    const api = await clientAnswering({ status: 404 });
    const err = (await caught(api.getVersion())) as FirecrackerApiError;
    expect(err.status).toBe(404);
    expect(err.faultMessage).toBe("(empty response body)");
  });

  it("a GET answered 200 with non-JSON is a VmError, not garbage data", async () => {
    const api = await clientAnswering({ status: 200, body: "<html>" });
    const err = await caught(api.describeInstance());
    expect(err).toBeInstanceOf(VmError);
    expect((err as Error).message).toMatch(/not JSON/);
  });

  it("a 2xx other than 204 on a PUT is success", async () => {
    const api = await clientAnswering({ status: 200, body: "{}" });
    await expect(api.instanceStart()).resolves.toBeUndefined();
  });

  it("parses a successful describeInstance", async () => {
    const info = { app_name: "Firecracker", id: "fb-1", state: "Running", vmm_version: "1.16.1" };
    const api = await clientAnswering({ status: 200, body: JSON.stringify(info) });
    await expect(api.describeInstance()).resolves.toEqual(info);
  });
});

describe("connection failures become FirecrackerConnectionError", () => {
  it("no socket at the path", async () => {
    const socketPath = path.join(tmp, "missing.sock");
    const api = new FirecrackerApiClient({ socketPath });
    const err = (await caught(api.describeInstance())) as FirecrackerConnectionError;
    expect(err).toBeInstanceOf(FirecrackerConnectionError);
    expect(err.socketPath).toBe(socketPath);
    expect(err.timedOut).toBe(false);
    expect(err.message).toContain("ENOENT");
    expect(err.cause).toBeInstanceOf(Error);
  });

  it("a peer that never answers hits the request timeout", async () => {
    const api = await clientAnswering({ status: 204, hang: true }, 150);
    const err = (await caught(api.putVsock({ guest_cid: 3, uds_path: "v" }))) as FirecrackerConnectionError;
    expect(err).toBeInstanceOf(FirecrackerConnectionError);
    expect(err.timedOut).toBe(true);
    expect(err.message).toMatch(/no response within 150 ms/);
  });

  it("a socket path too long for sun_path is refused up front", async () => {
    const api = new FirecrackerApiClient({ socketPath: `/tmp/${"x".repeat(120)}.sock` });
    await expect(api.describeInstance()).rejects.toThrow(/longer than 107 bytes/);
  });
});

describe("ids are checked before anything is sent", () => {
  it.each(["", "a/b", "../x", "x".repeat(65), "näme", "eth 0"])("rejects %j", async (id) => {
    const api = await clientAnswering({ status: 204 });
    await expect(api.putDrive({ drive_id: id, path_on_host: "p", is_root_device: false, is_read_only: true })).rejects.toThrow(VmError);
    await expect(api.putNetworkInterface({ iface_id: id, host_dev_name: "tap0" })).rejects.toThrow(VmError);
    expect(peer!.requests).toEqual([]);
  });
});
