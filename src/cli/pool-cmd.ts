/**
 * `firebreak pool status | warm | maintain <op> | bench`: the daemon's prewarmed microVMs. The pool lives in
 * `firebreak serve`; without a daemon these say so (in-process runs restore a VM per run).
 *
 * @example
 * // $ firebreak pool maintain health-check --json
 * // [{"op":"health-check","ok":true,"details":{"types":[{"type":"default","probed":2,"healthy":2,"replaced":0}]},…}]
 */
import { Command } from "commander";
import { DaemonClient, isUnreachable } from "../client/daemon-client.js";
import { poolBench } from "../client/pool-bench.js";
import { PoolError, RemoteError, UsageError } from "../errors.js";
import { daemonPaths } from "../paths.js";
import { MAINTENANCE_OPS } from "../vm/pool/config-schema.js";
import type { MaintenanceReport, PoolStatus } from "../vm/pool/status.js";
import type { CliDeps } from "./deps.js";
import { maintenanceText, poolBenchText, poolStatusText } from "./view/pool-text.js";

const count = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got '${value}'`);
  return n;
};

export function poolCommand(deps: CliDeps): Command {
  const socket = () => daemonPaths(deps.env).socket;
  /** One request to the daemon; no daemon means no pool, said plainly. */
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const client = new DaemonClient(socket());
    let res: { status: number; body: T & { error?: { code: string; message: string; exit_code: number } } };
    try {
      res = await client.json(method, path, body);
    } catch (error) {
      if (isUnreachable(error)) throw new PoolError(`the VM pool lives in the daemon, and none answers on ${socket()}: start it with 'firebreak serve' (or 'firebreak daemon start'); runs without a daemon restore a VM per run`, { cause: error });
      throw error;
    }
    if (res.body.error) throw new RemoteError(res.body.error);
    return res.body;
  };
  const o = deps.output;
  const cmd = new Command("pool").description("the daemon's prewarmed microVMs: status, warm-up, maintenance, benchmark");
  cmd
    .command("status")
    .description("ready, in use, starting and queued VMs per type; allocation latency; alerts; last maintenance")
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { json?: boolean }) => {
      const status = await call<PoolStatus>("GET", "/v1/pool");
      if (opts.json) o.json(status);
      else o.out(poolStatusText(o, status));
    });
  cmd
    .command("warm")
    .description("add ready VMs to a type now (within its max_total)")
    .option("--type <type>", "the VM type", "default")
    .option("-n <n>", "how many", count("-n", 1, 256), 1)
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { type: string; n: number; json?: boolean }) => {
      const r = await call<{ type: string; started: number; failed: number }>("POST", "/v1/pool/warm", { type: opts.type, n: opts.n });
      if (opts.json) o.json(r);
      else o.out(`${r.type}: ${r.started} VM(s) made ready${r.failed ? `, ${r.failed} failed (see the daemon's log)` : ""}`);
      if (r.failed) deps.setExitStatus(1);
    });
  cmd
    .command("maintain")
    .description(`run a maintenance operation now: ${MAINTENANCE_OPS.join(", ")} (full = the others in order)`)
    .argument("<op>", "the operation")
    .option("--json", "one JSON document on stdout")
    .action(async (op: string, opts: { json?: boolean }) => {
      if (!(MAINTENANCE_OPS as readonly string[]).includes(op)) throw new UsageError(`unknown maintenance operation '${op}' (one of: ${MAINTENANCE_OPS.join(", ")})`);
      const { reports } = await call<{ reports: MaintenanceReport[] }>("POST", "/v1/pool/maintain", { op });
      if (opts.json) o.json(reports);
      else o.out(maintenanceText(o, reports));
      if (reports.some((r) => !r.ok)) deps.setExitStatus(1);
    });
  cmd
    .command("bench")
    .description("measure the pool through the daemon: allocation, VM vs host, concurrency, memory per ready VM")
    .option("--type <type>", "the VM type", "default")
    .option("--samples <n>", "allocations measured", count("--samples", 1, 1000), 20)
    .option("--concurrency <n>", "VM-placed runs at once", count("--concurrency", 1, 256), 30)
    .option("--files <n>", "small files in the benchmark's workspace", count("--files", 0, 100_000), 100)
    .option("--runs <n>", "runs per placement for the VM/host ratio", count("--runs", 1, 1000), 10)
    .option("--json", "one JSON document on stdout")
    .action(async (opts: { type: string; samples: number; concurrency: number; files: number; runs: number; json?: boolean }) => {
      await call("GET", "/v1/pool"); // says plainly when there is no daemon or no pool
      const result = await poolBench(new DaemonClient(socket()), opts);
      if (opts.json) o.json(result);
      else o.out(poolBenchText(result));
    });
  return cmd;
}
