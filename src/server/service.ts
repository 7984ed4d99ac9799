import path from "node:path";
import { watchRegistry, type RegistryWatcher } from "../commands/watch.js";
import { configFingerprint } from "../config/fingerprint.js";
import { loadConfig } from "../config/load.js";
import type { EngineContext, EngineDeps } from "../engine/context.js";
import { createFirebreak } from "../firebreak.js";
import { ServerMetrics } from "./metrics.js";
import type { DaemonPool } from "./pool.js";

/** Contexts kept warm at once (one per project configuration); the least recently used goes first. */
export const MAX_CONTEXTS = 16;
/** How long in-flight runs may finish after SIGTERM before they are cancelled. */
export const SHUTDOWN_GRACE_MS = 5000;

export interface ServiceOptions {
  /** The environment configuration is resolved with (XDG dirs, trust overrides): the daemon's. */
  env: NodeJS.ProcessEnv;
  /** `--config`: one project config file for every request instead of the nearest firebreak.toml. */
  configFile?: string;
  /** Replacements for the real VM runner or shell analyzer (tests). */
  engineDeps?: Partial<EngineDeps>;
  /** Watch command folders and reload definitions as they change (default true). */
  watch?: boolean;
  version: string;
  /** Where GET requests without a `cwd` resolve configuration from. */
  defaultCwd: string;
}

interface CachedContext {
  fingerprint: string;
  context: Promise<EngineContext>;
  watcher?: RegistryWatcher;
}

/**
 * The engine as a long-running service: one warm context per project configuration (reloaded when its
 * files change, definitions hot-reloaded by the watcher), the in-flight runs (cancelled on shutdown),
 * and the metrics. The HTTP app is a thin view over this.
 */
export class FirebreakService {
  readonly metrics = new ServerMetrics();
  readonly startedAt = Date.now();
  private readonly contexts = new Map<string, CachedContext>();
  private readonly runs = new Map<AbortController, Promise<unknown>>();
  private draining = false;
  private readonly definitionListeners = new Set<() => void>();
  /** The VM pool this daemon keeps (set by `serve` once started), and why there is none otherwise. */
  pool: DaemonPool | undefined;
  poolAbsence: string | undefined;

  constructor(readonly options: ServiceOptions) {}

  /**
   * The engine context for a working directory, resolved exactly as the CLI resolves it there: the
   * nearest (trusted) project config, the project's commands. Rebuilt when a config file changed.
   */
  async context(cwd: string): Promise<EngineContext> {
    const { env, configFile } = this.options;
    const file = configFile && path.resolve(this.options.defaultCwd, configFile);
    const { identity: key, fingerprint } = configFingerprint(cwd, env, file);
    const cached = this.contexts.get(key);
    if (cached && cached.fingerprint === fingerprint) {
      // Most recently used last.
      this.contexts.delete(key);
      this.contexts.set(key, cached);
      return cached.context;
    }
    if (cached) await this.evict(key);
    // Loaded here, not cached on failure: an untrusted or broken config is refused on every request
    // until it is fixed or trusted, with the same message the CLI gives.
    // Set before anything is awaited: a concurrent request for the same directory shares this context.
    const context = loadConfig({ cwd, env, configFile: file }).then((loaded) => createFirebreak({ loaded, env }, this.options.engineDeps));
    const entry: CachedContext = { fingerprint, context };
    this.contexts.set(key, entry);
    try {
      const ctx = await entry.context;
      this.metrics.instrumentAudit(ctx.audit);
      if (this.options.watch !== false) {
        entry.watcher = watchRegistry(ctx.registry, () => {
          for (const listener of this.definitionListeners) listener();
        });
        // Ready before the first answer: a definition written right after it is not missed.
        await entry.watcher.ready;
      }
    } catch (error) {
      this.contexts.delete(key);
      throw error;
    }
    while (this.contexts.size > MAX_CONTEXTS) await this.evict(this.contexts.keys().next().value!);
    return entry.context;
  }

  private async evict(key: string): Promise<void> {
    const entry = this.contexts.get(key);
    this.contexts.delete(key);
    await entry?.watcher?.close();
  }

  /**
   * Calls `listener` after any warm context's command definitions changed (MCP sessions re-list their tools);
   * returns the unsubscribe.
   */
  onDefinitionsChanged(listener: () => void): () => void {
    this.definitionListeners.add(listener);
    return () => this.definitionListeners.delete(listener);
  }

  get accepting(): boolean {
    return !this.draining;
  }

  get inFlight(): number {
    return this.runs.size;
  }

  /**
   * Runs `work` as an in-flight invocation: its signal aborts when the client goes away (`clientSignal`)
   * or when the service shuts down past its grace period.
   */
  async track<T>(clientSignal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onClientGone = () => controller.abort(new Error("client disconnected"));
    if (clientSignal?.aborted) onClientGone();
    else clientSignal?.addEventListener("abort", onClientGone, { once: true });
    const done = work(controller.signal);
    this.runs.set(controller, done);
    this.metrics.inFlight.set(this.runs.size);
    try {
      return await done;
    } finally {
      clientSignal?.removeEventListener("abort", onClientGone);
      this.runs.delete(controller);
      this.metrics.inFlight.set(this.runs.size);
    }
  }

  /**
   * Stops taking new runs, lets in-flight ones finish for `graceMs`, cancels the rest (each is killed and
   * audited as cancelled), waits for them, and closes the watchers.
   */
  async shutdown(graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
    this.draining = true;
    const all = () => Promise.allSettled([...this.runs.values()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const controller of this.runs.keys()) controller.abort(new Error("firebreak serve is stopping"));
    await all();
    for (const key of [...this.contexts.keys()]) await this.evict(key);
    await this.pool?.stop();
  }
}
