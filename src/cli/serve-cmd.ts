import { Command } from "commander";
import type { CliDeps } from "./deps.js";
import { VERSION } from "./version.js";

const positiveMs = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--grace-ms must be a whole number of milliseconds, got '${value}'`);
  return n;
};

/** `firebreak serve`: the engine as a long-running service on a Unix socket (and optionally TCP). */
export function serveCommand(deps: CliDeps): Command {
  return new Command("serve")
    .description("run the engine as a service: HTTP API on a Unix socket, OpenAPI, Prometheus metrics")
    .option("--socket <path>", "Unix socket (default: $FIREBREAK_SOCKET, else $XDG_RUNTIME_DIR/firebreak/daemon.sock, else <state dir>/run/daemon.sock)")
    .option("--listen <host:port>", "also listen on TCP (loopback; a bearer token from the state dir is required)")
    .option("--allow-remote", "allow a non-loopback --listen address (the token is still required)")
    .option("--grace-ms <ms>", "on SIGTERM, how long in-flight runs may finish before they are cancelled", positiveMs)
    .option("--pid-file <path>", "write the daemon's pid here while it runs")
    .action(async (opts: { socket?: string; listen?: string; allowRemote?: boolean; graceMs?: number; pidFile?: string }, self: Command) => {
      const { serve } = await import("../server/serve.js");
      const config = self.parent!.opts<{ config?: string }>().config;
      await serve({
        ...opts,
        configFile: config,
        env: deps.env,
        cwd: deps.cwd,
        version: VERSION,
        log: (line) => deps.output.err(line),
        engineDeps: deps.engineDeps,
      });
      // Serving: the process stays up on its listeners until a signal stops it.
      await new Promise<never>(() => {});
    });
}
