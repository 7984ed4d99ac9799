#!/usr/bin/env node
/**
 * TEST PEER, not part of the backend: a stand-in `firecracker` executable for the backend lifecycle tests on machines
 * without Firecracker or KVM. It serves the API on `--api-sock` (relative to its cwd, like Firecracker), records every
 * request as a JSON line (FAKE_FC_RECORD) so the test can validate it against the real spec, prints a kernel banner
 * and init marker on stdout at InstanceStart, and answers the vsock UDS handshake on the configured agent port with an
 * echo service. It boots nothing.
 *
 * Knobs: FAKE_FC_FAIL="PUT /boot-source" answers that request 400 with a fault_message; FAKE_FC_EXIT_EARLY=1 exits
 * before opening the API socket; FAKE_FC_AGENT_UDS=<path> relays accepted vsock connections to a real agent listening
 * on that Unix socket instead of echoing.
 */
import fs from "node:fs";
import http from "node:http";
import net from "node:net";

const args = process.argv.slice(2);
if (args.includes("--version")) {
  console.log("Firecracker v1.16.1-testpeer");
  process.exit(0);
}
const apiSock = args[args.indexOf("--api-sock") + 1];
const id = args.includes("--id") ? args[args.indexOf("--id") + 1] : "anonymous-instance";
if (!apiSock) {
  console.error("usage: fake-firecracker --api-sock <path>");
  process.exit(2);
}
if (process.env.FAKE_FC_EXIT_EARLY === "1") {
  console.error("fake firecracker: exiting early as asked");
  process.exit(1);
}

const record = process.env.FAKE_FC_RECORD;
const failOn = process.env.FAKE_FC_FAIL ?? "";
let state = "Not started";
let configured = false;
let bootArgs = "";
let vsockPath;
let vsockServer;

function agentPort() {
  const match = /firebreak\.agent=vsock:(\d+)/.exec(bootArgs);
  return match ? Number(match[1]) : undefined;
}

/** Firecracker's host-initiated vsock: CONNECT <port> -> OK <n> when the guest listens there, else close. */
function listenVsock(path) {
  vsockPath = path;
  vsockServer = net.createServer((socket) => {
    let buf = "";
    const onData = (chunk) => {
      buf += chunk.toString("latin1");
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      socket.off("data", onData);
      const match = /^CONNECT (\d+)$/.exec(buf.slice(0, nl));
      if (!match || Number(match[1]) !== agentPort() || state !== "Running") return socket.end();
      const forwardTo = process.env.FAKE_FC_AGENT_UDS;
      if (!forwardTo) {
        socket.write("OK 1073741824\n");
        socket.on("data", (d) => socket.write(d));
        return;
      }
      // Like Firecracker's muxer: answer OK once the guest side accepted, then relay bytes both ways.
      const guest = net.createConnection(forwardTo);
      guest.on("error", () => socket.destroy());
      socket.on("close", () => guest.destroy());
      guest.on("close", () => socket.destroy());
      guest.once("connect", () => {
        socket.write("OK 1073741824\n");
        socket.pipe(guest);
        guest.pipe(socket);
      });
    };
    socket.on("data", onData);
    socket.on("error", () => {});
  });
  vsockServer.listen(path);
}

function answer(res, status, body) {
  res.writeHead(status, body ? { "Content-Type": "application/json" } : {});
  res.end(body ? JSON.stringify(body) : undefined);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks).toString("utf8");
    const body = raw ? JSON.parse(raw) : undefined;
    const key = `${req.method} ${req.url}`;
    if (record) {
      fs.appendFileSync(record, `${JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body })}\n`);
    }
    if (failOn && key === failOn) return answer(res, 400, { fault_message: `test peer refuses ${key}` });

    if (key === "GET /") return answer(res, 200, { app_name: "Firecracker", id, state, vmm_version: "1.16.1-testpeer" });
    if (key === "GET /version") return answer(res, 200, { firecracker_version: "1.16.1-testpeer" });
    if (key === "PUT /boot-source") {
      // Firecracker opens the kernel and initrd when the boot source is set (relative to its cwd or jail).
      for (const file of [body.kernel_image_path, body.initrd_path].filter(Boolean)) {
        if (!fs.existsSync(file)) return answer(res, 400, { fault_message: `cannot open ${file}` });
      }
      bootArgs = body.boot_args ?? "";
    }
    if (key === "PUT /vsock") vsockPath = body.uds_path;
    if (key === "PUT /actions" && body.action_type === "InstanceStart") {
      state = "Running";
      process.stdout.write("[    0.000000] Linux version 6.1.0-testpeer (fake) #1\n");
      process.stdout.write("FIREBREAK-INIT uptime=0.05\n");
      listenVsock(vsockPath);
    }
    if (key === "PATCH /vm") state = body.state === "Paused" ? "Paused" : "Running";
    if (key === "PUT /snapshot/create") {
      if (state !== "Paused") return answer(res, 400, { fault_message: "the microVM must be paused" });
      fs.writeFileSync(body.snapshot_path, JSON.stringify({ bootArgs, vsockPath }));
      fs.writeFileSync(body.mem_file_path, Buffer.alloc(4096));
    }
    if (key === "PUT /snapshot/load") {
      if (configured) return answer(res, 400, { fault_message: "load is only allowed on a fresh process" });
      if (!fs.existsSync(body.snapshot_path) || !fs.existsSync(body.mem_backend.backend_path)) {
        return answer(res, 400, { fault_message: "cannot open the snapshot files" });
      }
      const saved = JSON.parse(fs.readFileSync(body.snapshot_path, "utf8"));
      bootArgs = saved.bootArgs;
      state = body.resume_vm ? "Running" : "Paused";
      listenVsock(body.vsock_override?.uds_path ?? saved.vsockPath);
    }
    if (key !== "GET /" && key !== "GET /version") configured = true;
    answer(res, 204);
  });
});
server.listen(apiSock);
process.on("SIGTERM", () => process.exit(0));
