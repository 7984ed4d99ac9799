import { type FSWatcher, watch } from "chokidar";
import type { CommandRegistry, RegistryReport } from "./registry.js";

export const RELOAD_DEBOUNCE_MS = 100;

export interface RegistryWatcher {
  /** Resolves once the watcher has scanned its folders. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Hot reload: re-reads each changed `.md` file (debounced per file) and reports the new state.
 * A file that turns bad keeps serving its last good version (see CommandRegistry).
 */
export function watchRegistry(registry: CommandRegistry, onReload: (report: RegistryReport, file: string) => void): RegistryWatcher {
  const timers = new Map<string, NodeJS.Timeout>();
  const watcher: FSWatcher = watch(registry.dirs(), { ignoreInitial: true, persistent: true });
  const schedule = (file: string) => {
    if (!file.endsWith(".md")) return;
    clearTimeout(timers.get(file));
    timers.set(
      file,
      setTimeout(() => {
        timers.delete(file);
        onReload(registry.reloadFile(file), file);
      }, RELOAD_DEBOUNCE_MS),
    );
  };
  watcher.on("add", schedule).on("change", schedule).on("unlink", schedule);
  const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  return {
    ready,
    close: async () => {
      for (const t of timers.values()) clearTimeout(t);
      await watcher.close();
    },
  };
}
