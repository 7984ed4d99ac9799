import fs from "node:fs";
import path from "node:path";
import { installSignalExit } from "../exec/reaper.js";
import type { EngineDeps } from "../engine/context.js";
import { daemonPaths, resolvePaths } from "../paths.js";
import { reapOrphans } from "../vm/orphans.js";
import { createApp } from "./app.js";
import { daemonToken, type Listener, listenOnSocket, listenOnTcp } from "./listen.js";
import { FirebreakService, SHUTDOWN_GRACE_MS } from "./service.js";
import { type LoadedConfig, loadConfig } from "../config/load.js";
import { defaultVmRunner } from "../firebreak.js";
import { VmRuntime } from "../vm/runtime.js";
import { vmMaintenanceDeps } from "../vm/pool/host-cleanup.js";
import { DaemonPool } from "./pool.js";

/** After the runs ended on shutdown, how long their connections may take to deliver the last answers. */
const CLOSE_LINGER_MS = 1000;

export interface ServeOptions {
  /** Unix socket path (default: FIREBREAK_SOCKET, else under $XDG_RUNTIME_DIR or the state dir). */
  socket?: string;
  /** Also listen on TCP `HOST:PORT` (bearer token required). */
  listen?: string;
  allowRemote?: boolean;
  /** Written once listening, removed on exit. */
  pidFile?: string;
  graceMs?: number;
  configFile?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  version: string;
  log: (line: string) => void;
  engineDeps?: Partial<EngineDeps>;
}

/**
 * `firebreak serve`: the engine as a long-running service. Resolves once it is listening; SIGTERM or
 * SIGINT stop it gracefully (stop accepting, let runs finish for the grace period, cancel and audit the
 * rest, remove the socket and pid file); a second signal exits at once.
 */
export async function serve(options: ServeOptions): Promise<{ listeners: Listener[]; stop: () => Promise<void> }> {
  // What VMs of dead firebreak processes left behind goes first (never anything of a live one).
  await reapAtStart(options);
  const engineDeps: Partial<EngineDeps> = { ...options.engineDeps };
  // Runs take their VMs from the daemon's pool (when it keeps one), else a VM is made per run as in the CLI.
  engineDeps.vm ??= (loaded) => defaultVmRunner(loaded, service.pool?.pool);
  const service = new FirebreakService({ env: options.env, configFile: options.configFile, version: options.version, defaultCwd: options.cwd, engineDeps });
  if (!options.engineDeps?.vm) await startPool(service, options);
  const paths = daemonPaths(options.env);
  const listeners = [await listenOnSocket(createApp(service), options.socket ?? paths.socket)];
  if (options.listen) {
    const token = daemonToken(paths.tokenFile);
    listeners.push(await listenOnTcp(createApp(service, { token }), options.listen, Boolean(options.allowRemote)));
    options.log(`firebreak serve: TCP needs 'Authorization: Bearer <token>' (token in ${paths.tokenFile})`);
  }
  if (options.pidFile) {
    fs.mkdirSync(path.dirname(options.pidFile), { recursive: true });
    fs.writeFileSync(options.pidFile, `${process.pid}\n`);
  }
  for (const l of listeners) options.log(`firebreak serve: listening on ${l.address} (pid ${process.pid})`);

  let stopping: Promise<void> | undefined;
  const graceMs = options.graceMs ?? SHUTDOWN_GRACE_MS;
  const stop = () =>
    (stopping ??= (async () => {
      options.log(`firebreak serve: stopping (${service.inFlight} run(s) in flight, ${graceMs} ms grace)`);
      // Stop accepting first; connections carrying runs stay open until the runs end.
      const closed = Promise.all(listeners.map((l) => l.close()));
      await service.shutdown(graceMs);
      // The runs' answers are written now; connections that still linger are cut after a moment.
      const lingering = setTimeout(() => {
        for (const l of listeners) (l.server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }, CLOSE_LINGER_MS);
      await closed;
      clearTimeout(lingering);
      if (options.pidFile) removePidFile(options.pidFile);
      options.log("firebreak serve: stopped");
    })());
  installSignalExit({
    onSignal: () => {
      void stop().then(() => process.exit(0));
      return true;
    },
    graceMs: graceMs + 3000,
  });
  return { listeners, stop };
}

/**
 * Starts the daemon's VM pool from the configuration found at the daemon's working directory (after the start-up
 * cleanup): refill, scheduled maintenance, alerts. Without a usable backend (or with `[pool] enabled = false`) the daemon runs
 * without one and says why.
 */
async function startPool(service: FirebreakService, options: ServeOptions): Promise<void> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig({ cwd: options.cwd, env: options.env, configFile: options.configFile && path.resolve(options.cwd, options.configFile) });
  } catch (error) {
    service.poolAbsence = `the daemon's configuration did not load: ${(error as Error).message}`;
    options.log(`firebreak serve: no VM pool: ${service.poolAbsence}`);
    return;
  }
  if (!loaded.config.pool.enabled) {
    service.poolAbsence = "[pool] enabled = false";
    return;
  }
  const runtime = new VmRuntime(loaded.config.vm, loaded.paths.stateDir);
  const { backend, reasons } = await runtime.select();
  if (!backend) {
    service.poolAbsence = `no VM backend: ${reasons.join("; ")}`;
    options.log(`firebreak serve: no VM pool: ${service.poolAbsence}`);
    return;
  }
  const pool = new DaemonPool({
    loaded,
    metrics: service.metrics,
    audit: async () => {
      const ctx = await service.context(options.cwd);
      return { audit: ctx.audit, user: ctx.user };
    },
    maintenanceDeps: vmMaintenanceDeps(runtime),
    log: options.log,
  });
  service.pool = pool;
  pool.start();
  options.log(`firebreak serve: VM pool (${loaded.config.pool.strategy}): ${pool.pool.types.map((t) => `${t.name} min_ready ${t.minReady}, max_total ${t.maxTotal}`).join("; ")}; max ${pool.pool.admission.capacity} VMs at once`);
}

/** Start-up cleanup (also without a pool): what VMs of dead firebreak processes left behind. */
async function reapAtStart(options: ServeOptions): Promise<void> {
  try {
    const report = await reapOrphans({ stateDir: resolvePaths(options.env).stateDir });
    if (report.killed.length || report.removed.length) {
      options.log(`firebreak serve: reaped ${report.killed.length} orphaned VMM(s), removed ${report.removed.length} path(s) left by dead owners`);
    }
  } catch (err) {
    options.log(`firebreak serve: could not reap orphaned VMs: ${(err as Error).message}`);
  }
}

/** Removes the pid file only if it still names this process (a newer daemon may have replaced it). */
function removePidFile(file: string): void {
  try {
    if (fs.readFileSync(file, "utf8").trim() === String(process.pid)) fs.rmSync(file);
  } catch {
    // already gone
  }
}
