/**
 * Changeset benchmark: a 1,000-file workspace copied into a real microVM, 10 files changed there; the cost of computing
 * and storing the changeset (host snapshot, the two guest listings, fetching the changed files, writing the record)
 * against the copy-in (pack + transfer + unpack), measured side by side in the same VM. Target: <= 20%.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { snapshotHost } from "../src/changes/host-state.js";
import { ChangesetStore } from "../src/changes/store.js";
import { AgentClient } from "../src/vm/agent/index.js";
import { vmConfigSchema } from "../src/vm/config-schema.js";
import { VmRuntime } from "../src/vm/runtime.js";
import { captureWorkspaceChanges } from "../src/vm/workspace-changes.js";
import { packWorkspace } from "../src/vm/workspace-tar.js";
import { resolvePaths } from "../src/paths.js";

const FILES = 1000;
const CHANGED = 10;
const ROUNDS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function runChangesBench(): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "fb-bench-ws-"));
  const state = fs.mkdtempSync(path.join(os.tmpdir(), "fb-bench-state-"));
  for (let i = 0; i < FILES; i++) {
    const file = path.join(workspace, `pkg${Math.floor(i / 10)}`, `file${i}.txt`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${"line of text\n".repeat(100 + (i % 200))}`);
  }
  const config = vmConfigSchema.parse({ cache_dir: resolvePaths(process.env).stateDir });
  const runtime = new VmRuntime(config, resolvePaths(process.env).stateDir);
  const { backend, reasons } = await runtime.select();
  const image = await runtime.image();
  if (!backend || !image) throw new Error(`no VM: ${reasons.join("; ") || "no guest image (firebreak vm image build)"}`);
  const shape = runtime.shape(undefined);
  const { snapshot } = await runtime.template(backend, image, shape);
  const vm = await backend.restore(snapshot, runtime.spec(shape, image, backend));
  const agent = new AgentClient(await vm.connectAgent());
  const copyIn: number[] = [];
  const changeset: number[] = [];
  try {
    const store = new ChangesetStore(state);
    for (let round = 0; round < ROUNDS; round++) {
      const guestDir = `/work/round${round}`;
      const t0 = performance.now();
      const tar = await packWorkspace(workspace, config.copy_exclude, config.copy_max_mb * 1048576);
      await agent.putTar(guestDir, tar);
      const t1 = performance.now();
      const hostSnapshot = snapshotHost(workspace, config.copy_exclude);
      const baseline = await agent.walk(guestDir);
      const t2 = performance.now();
      const edits = Array.from({ length: CHANGED }, (_, i) => `echo changed >> pkg${i * 7}/file${i * 70}.txt`).join("; ");
      await agent.exec({ script: edits, cwd: guestDir, timeoutMs: 30_000 }, { collect: true });
      const t3 = performance.now();
      const invocationId = `bench-${round}`;
      const captured = await captureWorkspaceChanges(agent, guestDir, baseline, {
        blobDir: path.join(store.stagingDir(invocationId), "blobs"),
        maxBytes: 256 << 20,
        exclude: config.copy_exclude,
        isProtected: () => false,
      });
      const cs = store.create({ invocationId, command: "bench", workspace, changes: captured.changes, skipped: captured.skipped, hostSnapshot, protectedPaths: [], artifacts: [] });
      const t4 = performance.now();
      if (cs?.entries.length !== CHANGED) throw new Error(`expected ${CHANGED} changes, got ${cs?.entries.length}`);
      copyIn.push(t1 - t0);
      changeset.push(t2 - t1 + (t4 - t3));
    }
  } finally {
    agent.close();
    await backend.destroy(vm);
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(state, { recursive: true, force: true });
  }
  const ratio = median(changeset) / median(copyIn);
  console.log(
    `changes: ${FILES}-file workspace, ${CHANGED} changed in the VM: copy-in median ${median(copyIn).toFixed(1)} ms; ` +
      `changeset (snapshot + 2 guest listings + fetch + store) median ${median(changeset).toFixed(1)} ms; ` +
      `ratio ${ratio.toFixed(3)} (target <= 0.20: ${ratio <= 0.2 ? "met" : "NOT met"})`,
  );
}
