/**
 * A VM runner for engine tests that needs no VM: the workspace is packed and unpacked into a temporary "guest"
 * directory exactly as for a microVM, the script runs there with /bin/sh, and the real guest agent (run on the host)
 * lists the directory before and after, so the changeset path is the real one end to end. Real-VM tests cover the rest.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { AgentClient } from "../../src/vm/agent/client.js";
import type { VmRunner, VmRunOutcome, VmRunRequest } from "../../src/vm/run-request.js";
import { captureWorkspaceChanges } from "../../src/vm/workspace-changes.js";
import { packWorkspace } from "../../src/vm/workspace-tar.js";
import { tempDir } from "./tmp.js";

export function hostDirVm(agent: () => AgentClient, exclude: readonly string[] = [".git", "node_modules"]): VmRunner & { lastGuestDir?: string } {
  const runner: VmRunner & { lastGuestDir?: string } = {
    availability: async () => ({ available: true, reason: "test: a directory on the host stands in for the guest", backend: "qemu" }),
    run: async (req: VmRunRequest): Promise<VmRunOutcome> => {
      const guest = tempDir("fb-guestdir-");
      runner.lastGuestDir = guest;
      fs.writeFileSync(path.join(guest, ".pack.tar"), await packWorkspace(req.cwd, exclude, 64 << 20));
      execFileSync("tar", ["-xf", ".pack.tar"], { cwd: guest });
      fs.rmSync(path.join(guest, ".pack.tar"));
      const baseline = await agent().walk(guest);
      await new Promise((r) => setTimeout(r, 15));
      const started = Date.now();
      const r = spawnSync("/bin/sh", ["-c", req.script], { cwd: guest, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...req.env }, encoding: "utf8" });
      req.onStdout?.(Buffer.from(r.stdout));
      req.onStderr?.(Buffer.from(r.stderr));
      const changes = req.changes ? await captureWorkspaceChanges(agent(), guest, baseline, req.changes) : undefined;
      return {
        exitCode: r.status ?? 128,
        signal: null,
        timedOut: false,
        durationMs: Date.now() - started,
        stdout: r.stdout,
        stderr: r.stderr,
        stdoutBytes: Buffer.byteLength(r.stdout),
        stderrBytes: Buffer.byteLength(r.stderr),
        changes,
        details: { backend: "host-dir", vm: "test", kernel: "host", ready_ms: 0, restored_from: null },
      };
    },
  };
  return runner;
}
